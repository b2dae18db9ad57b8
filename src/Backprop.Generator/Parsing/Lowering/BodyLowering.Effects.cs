using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Statements kept for their effect: <c>throw</c> (a statement, or the throw expression of a <c>?:</c> arm), guards
/// such as <c>ArgumentOutOfRangeException.ThrowIfNegative(x)</c> and <c>Debug.Assert</c>, and calls to void methods
/// such as logs. Each runs in the forward pass of every derivative method, in order, and no derivative flows through it.
/// </summary>
internal sealed partial class BodyLowering
{
    private void LowerEffect(IOperation effect, string source)
    {
        if (effect is IInvocationOperation call && call.Arguments.FirstOrDefault(a => a.Parameter?.RefKind is RefKind.Ref or RefKind.Out) is { } written)
        {
            UnsupportedStatement(written.Syntax, $"Passing '{written.Syntax}' by reference to '{call.TargetMethod.Name}', which could change it,",
                "pass the value, and assign what the call computes to a local in a separate statement");
            return;
        }
        if (effect is IInvocationOperation { Instance: { } instance } method && IsWritable(instance.Type))
        {
            UnsupportedStatement(effect.Syntax, $"Calling '{method.TargetMethod.Name}' on '{instance.Syntax}', which could change it,",
                "write the elements one by one (in a loop)");
            return;
        }
        if (effect.DescendantsAndSelf().OfType<IArgumentOperation>().FirstOrDefault(a => a.ArgumentKind != ArgumentKind.ParamArray
            && (Unconverted(a.Value).Type is IArrayTypeSymbol || IsWritable(Unconverted(a.Value).Type) && IsWritable(a.Parameter?.Type))) is { } array)
        {
            string callee = array.Parent switch
            {
                IInvocationOperation invocation => $"'{invocation.TargetMethod.Name}'",
                IObjectCreationOperation creation => $"'new {creation.Type?.Name}'",
                _ => "a method",
            };
            UnsupportedStatement(array.Syntax, $"Passing the array '{array.Syntax}' to {callee}, which could change it,",
                "pass the values it needs (an element, the length) instead");
            return;
        }
        var reads = new List<string>();
        string? code = PassivePrinter.Print(effect, symbol =>
        {
            if (_variableNames.TryGetValue(symbol, out string? variable))
            {
                reads.Add(variable);
                return Naming.Identifier(variable);
            }
            // Other parameters (a message, a logger) keep their names in every derivative method's signature; a struct's
            // are read member by member (below), its value whole being in no variable.
            return symbol is IParameterSymbol parameter && !_structVariables.ContainsKey(parameter) ? Naming.Identifier(parameter.Name) : null;
        }, operation =>
        {
            if (InstanceCode(operation) is string instance)
                return instance;
            if ((TupleElementVariable(operation) ?? StructLeafTarget(operation)) is not string element)
                return null;
            reads.Add(element);
            return Naming.Identifier(element);
        });
        if (code is null)
        {
            UnsupportedStatement(effect.Syntax, $"'{effect.Syntax}'",
                "a statement kept for its effect (a throw, a guard, a log) may read parameters, locals, constants, static members and string interpolations of them; compute anything else into a local first");
            return;
        }
        Add(new EffectStatement(source, code, reads.Distinct().ToEquatableArray()));
    }

    /// <summary>An array or a <c>Span&lt;T&gt;</c>, through which a method could write what the body reads.</summary>
    private static bool IsWritable(ITypeSymbol? type) => type is IArrayTypeSymbol || type is INamedTypeSymbol { Name: "Span" } && Symbols.SpanElement(type) is not null;

    private static IOperation Unconverted(IOperation operation) => operation is IConversionOperation conversion ? conversion.Operand : operation;
}
