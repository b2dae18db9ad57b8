using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>Local arrays beyond their allocation: span locals, and the elements they and arrays are written through.</summary>
internal sealed partial class BodyLowering
{
    /// <summary>Span locals refused at their declaration: their uses say nothing more (one construct, one diagnostic).</summary>
    private readonly HashSet<ILocalSymbol> _refusedLocals = new(SymbolEqualityComparer.Default);

    /// <summary>
    /// A span local of numbers is a local array: created with <c>stackalloc</c> (its length, or its elements) it lives on
    /// the stack in every derivative method as in the source; created with <c>new T[n]</c> (or its elements) it is an
    /// array. Either is allocated once, at the top level of the method, as local arrays are.
    /// </summary>
    private void LowerSpanLocal(string source, IVariableDeclaratorOperation declarator)
    {
        ILocalSymbol local = declarator.Symbol;
        IOperation? value = declarator.GetVariableInitializer()?.Value is { } initial ? Unconverted(initial) : null;
        switch (value?.Syntax)
        {
            case StackAllocArrayCreationExpressionSyntax { Initializer: { } elements } stack:
                LowerFilledAllocation(source, DeclareLocal(local), stack, Operations(elements.Expressions, value), onStack: true);
                return;
            case ImplicitStackAllocArrayCreationExpressionSyntax implicitStack:
                LowerFilledAllocation(source, DeclareLocal(local), implicitStack, Operations(implicitStack.Initializer.Expressions, value), onStack: true);
                return;
            case StackAllocArrayCreationExpressionSyntax { Type: ArrayTypeSyntax { RankSpecifiers: { Count: 1 } ranks } } stack when ranks[0].Sizes.Count == 1:
                string array = DeclareLocal(local);
                if (MayAllocate(array, stack, onStack: true) && Operations(ranks[0].Sizes, value)[0] is { } size && LowerValue(size) is int length)
                    Allocate(source, array, length, onStack: true);
                return;
            case CollectionExpressionSyntax collection:
                // C# keeps a span's collection expression on the stack.
                LowerCollectionExpression(source, DeclareLocal(local), collection, value.SemanticModel!, onStack: true);
                return;
        }
        if (value is IArrayCreationOperation creation)
        {
            string array = DeclareLocal(local);
            if (creation.Initializer is { } filled)
                LowerFilledAllocation(source, array, filled.Syntax, filled.ElementValues);
            else
                LowerAllocation(source, array, creation);
            return;
        }
        _refusedLocals.Add(local);
        Report(Diagnostics.UnsupportedExpression, declarator.Syntax, $"The span local '{local.Name}'{(value is null ? " declared without a value" : $" made from '{value.Syntax}'")}",
            $"create it at the top level of the method with stackalloc or new ({local.Type.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat)} {local.Name} = stackalloc {Symbols.SpanElement(local.Type)!.Value.Keyword()}[n];), or read the array or span it would view directly");
    }

    /// <summary>The operations of expressions inside <paramref name="within"/> (a stackalloc's length or elements, which C# gives no operations of their own).</summary>
    private IOperation?[] Operations(IEnumerable<ExpressionSyntax> expressions, IOperation within) =>
        expressions.Select(e => within.SemanticModel!.GetOperation(e, _cancellationToken)).ToArray();

    /// <summary>Whether <paramref name="reference"/> reads a span local refused at its declaration, about which nothing more is said.</summary>
    private bool IsRefused(IOperation reference) => reference is ILocalReferenceOperation { Local: var local } && _refusedLocals.Contains(local);

    /// <summary>An element written by an assignment: of an array (<c>a[i]</c>), or of a span local through its indexer (<c>t[i]</c>).</summary>
    private bool IsElementTarget(IOperation target) =>
        target is IArrayElementReferenceOperation || target is IPropertyReferenceOperation { Property.IsIndexer: true, Arguments.Length: 1, Instance: ILocalReferenceOperation span } && Symbols.SpanElement(span.Type) is not null;

    /// <summary>The array or span an element target is of, and its index lowered to an int (<c>null</c> after a report).</summary>
    private (IOperation Array, int? Index) ElementOf(IOperation element) => element switch
    {
        IArrayElementReferenceOperation array => (array.ArrayReference, LowerIndex(array)),
        IPropertyReferenceOperation indexer => (indexer.Instance!, LowerValue(indexer.Arguments[0].Value) is int index ? _nodes.Convert(index, ScalarType.Int) : null),
        _ => throw new System.InvalidOperationException($"Not an element: {element.Kind}."),
    };
}
