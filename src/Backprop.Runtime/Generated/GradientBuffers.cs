using System.Numerics;

namespace Backprop;

/// <summary>
/// For generated gradient methods: checks that a caller's gradient buffers fit their parameters (or a model's fields),
/// zeroes arrays of them, and allocates a model's gradients in the shapes of its fields.
/// </summary>
public static class GradientBuffers
{
    /// <summary>Throws unless <paramref name="gradient"/> has the shape of <paramref name="value"/>; <paramref name="name"/> is the buffer's name, <c>d</c> + the parameter's.</summary>
    /// <exception cref="ArgumentNullException">The buffer is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes differ; the message names the buffer and both shapes.</exception>
    public static void Require<T>(Matrix<T> value, Matrix<T> gradient, string method, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        // Names are built only on failure: a gradient call allocates nothing.
        if (value is null)
            throw new ArgumentNullException(name.Substring(1));
        if (gradient is null)
            throw new ArgumentNullException(name);
        if (gradient.Rows != value.Rows || gradient.Columns != value.Columns)
            throw new ArgumentException(
                $"{method}: the gradient buffer '{name}' is {gradient.Shape} but parameter '{name.Substring(1)}' is {value.Shape}; pass a buffer of the parameter's shape.", name);
    }

    /// <summary>
    /// Throws unless <paramref name="gradients"/> holds one buffer of the shape of each matrix of <paramref name="values"/>;
    /// <paramref name="name"/> is the array of buffers' name, <c>d</c> + the parameter's.
    /// </summary>
    /// <exception cref="ArgumentNullException">An array or one of its matrices is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The lengths or the shapes at an index differ; the message names the buffer, the index and both shapes or lengths.</exception>
    public static void Require<T>(Matrix<T>[] values, Matrix<T>[] gradients, string method, string name)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values is null)
            throw new ArgumentNullException(name.Substring(1));
        if (gradients is null)
            throw new ArgumentNullException(name);
        if (gradients.Length != values.Length)
            throw new ArgumentException(
                $"{method}: the gradient buffers '{name}' are {gradients.Length} matrices but parameter '{name.Substring(1)}' has {values.Length}; pass one buffer per matrix.", name);
        for (int i = 0; i < values.Length; i++)
        {
            Matrix<T> value = values[i], gradient = gradients[i];
            if (value is null || gradient is null)
                throw new ArgumentNullException(value is null ? name.Substring(1) : name, $"{method}: '{(value is null ? name.Substring(1) : name)}[{i}]' is null.");
            if (gradient.Rows != value.Rows || gradient.Columns != value.Columns)
                throw new ArgumentException(
                    $"{method}: the gradient buffer '{name}[{i}]' is {gradient.Shape} but parameter '{name.Substring(1)}[{i}]' is {value.Shape}; pass a buffer of the parameter's shape.", name);
        }
    }

    // The checks below take lengths, not arrays: they are not generic, so a generated method's check costs the compiler
    // no type inference, and its message is built only when it fails.

    /// <summary>Throws unless buffer <paramref name="bufferName"/> (of length <paramref name="bufferLength"/>) has the length of array parameter <paramref name="parameterName"/>.</summary>
    /// <exception cref="ArgumentException">The lengths differ; the message names the buffer, the parameter and both lengths.</exception>
    public static void RequireLength(int bufferLength, int length, string bufferName, string parameterName)
    {
        if (bufferLength != length)
            throw new ArgumentException(
                $"The buffer '{bufferName}' for '{parameterName}' has length {bufferLength}, but '{parameterName}' has length {length}.", bufferName);
    }

    /// <summary>Throws unless buffer <paramref name="bufferName"/> (of length <paramref name="bufferLength"/>) has the length of the method's array result.</summary>
    /// <exception cref="ArgumentException">The lengths differ; the message names the buffer and both lengths.</exception>
    public static void RequireResultLength(int bufferLength, int resultLength, string bufferName)
    {
        if (bufferLength != resultLength)
            throw new ArgumentException(
                $"The buffer '{bufferName}' for the result has length {bufferLength}, but the result has length {resultLength}.", bufferName);
    }

    /// <summary>
    /// Throws unless the two-dimensional array <paramref name="bufferName"/>, <paramref name="rows"/> × <paramref name="columns"/>,
    /// is <paramref name="expectedRows"/> × <paramref name="expectedColumns"/>, the shape of <paramref name="what"/> (<c>the Hessian of F</c>).
    /// </summary>
    /// <exception cref="ArgumentException">The shapes differ; the message names what the array is for and both shapes.</exception>
    public static void RequireShape(int rows, int columns, int expectedRows, int expectedColumns, string what, string bufferName)
    {
        if (rows != expectedRows || columns != expectedColumns)
            throw new ArgumentException($"{what} is {expectedRows}×{expectedColumns}, but the array given is {rows}×{columns}.", bufferName);
    }

    /// <summary>Zeroes every buffer of <paramref name="gradients"/> (nothing when it is <see langword="null"/>): the gradients that element reads then add into.</summary>
    public static void Clear<T>(Matrix<T>[]? gradients)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (gradients is null)
            return;
        foreach (Matrix<T> gradient in gradients)
            gradient.Span.Clear();
    }

    /// <summary>
    /// Throws unless <paramref name="gradient"/> has the shape of the model's field <paramref name="field"/>, whose value is
    /// <paramref name="value"/>; <paramref name="name"/> is the gradient's member as generated code reads it (<c>gradients.W1</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The field is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentNullException">The gradient member is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The shapes differ; the message names the gradient member, the field and both shapes.</exception>
    public static void RequireField<T>(Matrix<T> value, Matrix<T> gradient, string method, string name, string field)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (value is null)
            throw new InvalidOperationException($"{method}: the model's field '{field}' is null; give it a matrix first.");
        if (gradient is null)
            throw new ArgumentNullException(Gradients(name), $"{method}: '{name}' is null; {Allocate(name)}");
        if (gradient.Rows != value.Rows || gradient.Columns != value.Columns)
            throw new ArgumentException(
                $"{method}: the {Role(name)} '{name}' is {gradient.Shape} but field '{field}' is {value.Shape}; {Allocate(name)}", Gradients(name));
    }

    /// <summary>
    /// Throws unless <paramref name="gradients"/> holds one matrix of the shape of each matrix of the model's field
    /// <paramref name="field"/>, whose value is <paramref name="values"/>; <paramref name="name"/> is the gradient's member
    /// as generated code reads it (<c>gradients.W</c>).
    /// </summary>
    /// <exception cref="InvalidOperationException">The field or one of its matrices is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentNullException">The gradient member or one of its matrices is <see langword="null"/>.</exception>
    /// <exception cref="ArgumentException">The lengths or the shapes at an index differ; the message names the gradient member, the index and both shapes or lengths.</exception>
    public static void RequireField<T>(Matrix<T>[] values, Matrix<T>[] gradients, string method, string name, string field)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        if (values is null)
            throw new InvalidOperationException($"{method}: the model's field '{field}' is null; give it its matrices first.");
        if (gradients is null)
            throw new ArgumentNullException(Gradients(name), $"{method}: '{name}' is null; {Allocate(name)}");
        if (gradients.Length != values.Length)
            throw new ArgumentException(
                $"{method}: the {Role(name)} '{name}' holds {gradients.Length} matrices but field '{field}' holds {values.Length}; {Allocate(name)}", Gradients(name));
        for (int i = 0; i < values.Length; i++)
        {
            Matrix<T> value = values[i], gradient = gradients[i];
            if (value is null)
                throw new InvalidOperationException($"{method}: the model's field '{field}[{i}]' is null.");
            if (gradient is null)
                throw new ArgumentNullException(Gradients(name), $"{method}: '{name}[{i}]' is null.");
            if (gradient.Rows != value.Rows || gradient.Columns != value.Columns)
                throw new ArgumentException(
                    $"{method}: the {Role(name)} '{name}[{i}]' is {gradient.Shape} but field '{field}[{i}]' is {value.Shape}; {Allocate(name)}", Gradients(name));
        }
    }

    /// <summary>The parameter a model's gradient member belongs to: <c>gradients</c>, of <c>gradients.W1</c>.</summary>
    private static string Gradients(string name) => name.IndexOf('.') is int dot and > 0 ? name.Substring(0, dot) : name;

    /// <summary>
    /// What the member is, as messages say it: a gradient (of <c>gradients</c>), or what a tangent or Hessian-vector product
    /// takes the model's <c>Gradients</c> for (<c>direction</c>, <c>product</c>).
    /// </summary>
    private static string Role(string name)
    {
        string holder = Gradients(name);
        return holder == "gradients" ? "gradient" : holder;
    }

    /// <summary>How to make the member right: allocate the parameter it belongs to from the model.</summary>
    private static string Allocate(string name) => $"allocate the {Gradients(name)} with Gradients.For(model).";

    /// <summary>A zero matrix of <paramref name="value"/>'s shape: the gradient of a model's matrix field (<c>{Model}.Gradients.For</c>).</summary>
    public static Matrix<T> ZerosLike<T>(Matrix<T> value)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(value);
        return new Matrix<T>(value.Rows, value.Columns);
    }

    /// <summary>One zero matrix of the shape of each matrix of <paramref name="values"/>: the gradient of a model's field that is an array of matrices.</summary>
    public static Matrix<T>[] ZerosLike<T>(Matrix<T>[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        var gradients = new Matrix<T>[values.Length];
        for (int i = 0; i < values.Length; i++)
            gradients[i] = ZerosLike(values[i]);
        return gradients;
    }

    /// <summary>A zero array of <paramref name="values"/>'s length: the gradient of a model's <c>double[]</c> or <c>float[]</c> field.</summary>
    public static T[] ZerosLike<T>(T[] values)
        where T : unmanaged, IFloatingPointIeee754<T>
    {
        ArgumentNullException.ThrowIfNull(values);
        return new T[values.Length];
    }
}
