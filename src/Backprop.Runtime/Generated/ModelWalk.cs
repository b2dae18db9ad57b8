using System.ComponentModel;
using System.Numerics;

namespace Backprop;

/// <summary>
/// For the walks the generator writes into models (<see cref="IModel{T}.VisitParameters"/>): each parameter field handed
/// to the visitor with its gradient, after checking both, so that every consumer of a walk gets the same checks and the
/// same messages.
/// </summary>
[EditorBrowsable(EditorBrowsableState.Never)]
public static class ModelWalk
{
    /// <summary>The model's own <c>Gradients</c>, or <see langword="null"/> when none were given.</summary>
    /// <exception cref="ArgumentException">The gradients are another model's.</exception>
    public static TGradients? GradientsOf<T, TGradients>(IModelGradients<T>? gradients, string model)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TGradients : class, IModelGradients<T> =>
        gradients switch
        {
            null => null,
            TGradients own => own,
            _ => throw new ArgumentException(
                $"{model}: the gradients given are a '{gradients.GetType().FullName}', not a '{typeof(TGradients).FullName}'; allocate them with {model}.Gradients.For(model).", nameof(gradients)),
        };

    /// <summary>Throws unless the layer the model holds in field <paramref name="path"/> is there.</summary>
    /// <exception cref="InvalidOperationException">The layer is <see langword="null"/>.</exception>
    public static void RequireLayer(object? layer, string model, string path)
    {
        if (layer is null)
            throw new InvalidOperationException($"{model}: the model's field '{path}' is null; give it its layer first.");
    }

    /// <summary>A matrix field.</summary>
    public static void Matrix<T, TVisitor>(ref TVisitor visitor, string model, string name, Matrix<T> value, Matrix<T>? gradient, bool hasGradients)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : IParameterVisitor<T>
    {
        // The checks' messages are built only on failure: a step's walk allocates nothing.
        if (hasGradients && !Fits(value, gradient))
            GradientBuffers.RequireField(value, gradient!, model, "gradients." + name, name);
        else if (value is null)
            throw new InvalidOperationException($"{model}: the model's field '{name}' is null; give it a matrix first.");
        visitor.Visit(new ModelParameter<T>(name, -1, ModelParameterKind.Matrix, value.Rows, value.Columns, value.Span, hasGradients ? gradient!.Span : default, hasGradients));
    }

    /// <summary>A stack: a <c>Matrix&lt;T&gt;[]</c> field, each matrix a parameter of its own.</summary>
    public static void Stack<T, TVisitor>(ref TVisitor visitor, string model, string name, Matrix<T>[] values, Matrix<T>[]? gradients, bool hasGradients)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : IParameterVisitor<T>
    {
        if (hasGradients && !Fits(values, gradients))
            GradientBuffers.RequireField(values, gradients!, model, "gradients." + name, name);
        else if (values is null)
            throw new InvalidOperationException($"{model}: the model's field '{name}' is null; give it its matrices first.");
        for (int i = 0; i < values.Length; i++)
        {
            Matrix<T> value = values[i] ?? throw new InvalidOperationException($"{model}: the model's field '{name}[{i}]' is null.");
            visitor.Visit(new ModelParameter<T>(name, i, ModelParameterKind.StackMatrix, value.Rows, value.Columns, value.Span, hasGradients ? gradients![i].Span : default, hasGradients));
        }
    }

    private static bool Fits<T>(Matrix<T>? value, Matrix<T>? gradient)
        where T : unmanaged, IFloatingPointIeee754<T> =>
        value is not null && gradient is not null && gradient.Rows == value.Rows && gradient.Columns == value.Columns;

    private static bool Fits<T>(Matrix<T>[]? values, Matrix<T>[]? gradients)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values is null || gradients is null || gradients.Length != values.Length)
            return false;
        for (int i = 0; i < values.Length; i++)
        {
            if (!Fits(values[i], gradients[i]))
                return false;
        }
        return true;
    }

    /// <summary>An array field: one row.</summary>
    public static void Array<T, TVisitor>(ref TVisitor visitor, string model, string name, T[] values, T[]? gradient, bool hasGradients)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : IParameterVisitor<T>
    {
        if (values is null)
            throw new InvalidOperationException($"{model}: the model's field '{name}' is null; give it an array first.");
        if (hasGradients && gradient is null)
            throw new ArgumentNullException("gradients", $"{model}: 'gradients.{name}' is null; allocate the gradients with Gradients.For(model).");
        if (hasGradients && gradient!.Length != values.Length)
            throw new ArgumentException(
                $"{model}: the gradient 'gradients.{name}' has {gradient.Length} values but field '{name}' has {values.Length}; allocate the gradients with Gradients.For(model).", "gradients");
        visitor.Visit(new ModelParameter<T>(name, -1, ModelParameterKind.Array, 1, values.Length, values, hasGradients ? gradient : default, hasGradients));
    }

    /// <summary>A scalar field the walk reaches in place; <paramref name="gradient"/> is its gradient, or empty when none were given.</summary>
    public static void Scalar<T, TVisitor>(ref TVisitor visitor, string name, ref T value, Span<T> gradient)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : IParameterVisitor<T> =>
        visitor.Visit(new ModelParameter<T>(name, -1, ModelParameterKind.Scalar, 1, 1, new Span<T>(ref value), gradient, !gradient.IsEmpty));

    /// <summary>A scalar the walk can only read (<paramref name="reason"/> says why): the visitor sees a copy.</summary>
    public static void ReadOnlyScalar<T, TVisitor>(ref TVisitor visitor, string name, T value, Span<T> gradient, string reason)
        where T : unmanaged, IFloatingPointIeee754<T>
        where TVisitor : IParameterVisitor<T> =>
        visitor.Visit(new ModelParameter<T>(name, -1, ModelParameterKind.Scalar, 1, 1, new Span<T>(ref value), gradient, !gradient.IsEmpty, reason));
}
