using System.Collections.Generic;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// The names of what a bound body reached: every type of every operation, every member it calls or reads (user-defined
/// operators and conversions included), and for each type its namespaces, containing types and type arguments. A
/// declaration of one of these names elsewhere (a type of the same name in a nearer namespace) can change what the
/// body binds to, even where the body's text never names it (<c>var v = Make(x);</c>).
/// </summary>
internal sealed class ReachedNames
{
    private readonly HashSet<string> _names;
    private readonly HashSet<ISymbol> _seen = new(SymbolEqualityComparer.Default);

    public ReachedNames(HashSet<string> names) => _names = names;

    public void Operation(IOperation root)
    {
        Visit(root);
        foreach (IOperation operation in root.Descendants())
            Visit(operation);
    }

    private void Visit(IOperation operation)
    {
        Type(operation.Type);
        switch (operation)
        {
            case IInvocationOperation invocation:
                Member(invocation.TargetMethod);
                break;
            case IMemberReferenceOperation reference:
                Member(reference.Member);
                break;
            case IObjectCreationOperation creation:
                Member(creation.Constructor);
                break;
            case IBinaryOperation binary:
                Member(binary.OperatorMethod);
                break;
            case IUnaryOperation unary:
                Member(unary.OperatorMethod);
                break;
            case IConversionOperation conversion:
                Member(conversion.OperatorMethod);
                break;
            case ICompoundAssignmentOperation compound:
                Member(compound.OperatorMethod);
                break;
            case IIncrementOrDecrementOperation increment:
                Member(increment.OperatorMethod);
                break;
            case IVariableDeclaratorOperation declarator:
                Type(declarator.Symbol.Type);
                break;
        }
    }

    public void Member(ISymbol? member)
    {
        if (member is null || !_seen.Add(member))
            return;
        _names.Add(member.Name);
        Type(member.ContainingType);
        switch (member)
        {
            case IMethodSymbol method:
                Type(method.ReturnType);
                foreach (IParameterSymbol parameter in method.Parameters)
                    Type(parameter.Type);
                foreach (ITypeSymbol argument in method.TypeArguments)
                    Type(argument);
                break;
            case IPropertySymbol property:
                Type(property.Type);
                break;
            case IFieldSymbol field:
                Type(field.Type);
                break;
            case IEventSymbol @event:
                Type(@event.Type);
                break;
        }
    }

    private void Type(ITypeSymbol? type)
    {
        if (type is null || !_seen.Add(type))
            return;
        switch (type)
        {
            case IArrayTypeSymbol array:
                Type(array.ElementType);
                return;
            case IPointerTypeSymbol pointer:
                Type(pointer.PointedAtType);
                return;
        }
        _names.Add(type.Name);
        Type(type.ContainingType);
        for (INamespaceSymbol? ns = type.ContainingNamespace; ns is { IsGlobalNamespace: false }; ns = ns.ContainingNamespace)
            _names.Add(ns.Name);
        if (type is INamedTypeSymbol named)
        {
            foreach (ITypeSymbol argument in named.TypeArguments)
                Type(argument);
        }
    }
}
