using System.Collections.Generic;
using System.Globalization;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Members of System.Numerics structs (<see cref="NumericsRules"/>): where a struct of this compilation has its member's
/// body inlined, these have their rule's lines lowered, over the variables of their arguments' leaves, to statements
/// computing the result's leaves; the comment above each quotes the rule's line.
/// </summary>
internal sealed partial class BodyLowering
{
    /// <summary>
    /// A call of a System.Numerics member: the variables holding its result (one for a number or bool, one per leaf for a
    /// struct), or <c>null</c> after a diagnostic (BP1013 for a member with no rule).
    /// </summary>
    /// <param name="receiver">The instance a member is called on, bound to the rule's first parameter.</param>
    private IReadOnlyList<string>? LowerNumerics(IOperation at, IMethodSymbol member, IOperation? receiver, IReadOnlyList<IOperation> arguments)
    {
        ISymbol shown = member.AssociatedSymbol ?? member;
        if (NumericsRules.Find(member) is not { } rule)
        {
            Report(Diagnostics.NumericsMemberNotSupported, at.Syntax, Described(shown), NumericsRules.Advice(shown, member.ContainingType));
            return null;
        }
        IOperation[] operands = (receiver is null ? arguments : arguments.Prepend(receiver)).ToArray();
        ScalarType type = NumericsRules.LeavesOf(member.ContainingType)!.Value.Type;
        string from = " — in " + (member.MethodKind == MethodKind.Ordinary ? $"{member.ContainingType.Name}.{member.Name}" : DisplayName(member));

        NodeBuilder outer = _nodes;
        _nodes = new NodeBuilder();
        var bound = new Dictionary<string, NumericsValue>();
        for (int i = 0; i < operands.Length; i++)
        {
            if (i >= rule.Parameters.Count)
                throw new System.InvalidOperationException($"The System.Numerics rule of {member.ToDisplayString()} names {rule.Parameters.Count} parameters.");
            if (BindNumericsOperand(operands[i], rule.Parameters[i], type, from) is not { } value)
            {
                _nodes = outer;
                return null;
            }
            bound[rule.Parameters[i]] = value;
        }
        List<string> results;
        StructLayout? resultLayout = member.MethodKind == MethodKind.Constructor ? StructLayout.Of(member.ContainingType) : StructLayout.Of(member.ReturnType);
        if (resultLayout is not null)
        {
            results = NewStruct(LowerFirst(Stem(member)), resultLayout, VariableKind.Synthetic).Leaves.ToList();
            for (int k = 0; k < results.Count; k++)
                bound["result." + resultLayout.Leaves[k].Code] = new NumericsValue(results[k], null);
        }
        else
        {
            results = new List<string> { NewVariable(LowerFirst(Stem(member)), member.ReturnType.SpecialType == SpecialType.System_Boolean ? ScalarType.Bool : type) };
            bound["result"] = new NumericsValue(results[0], null);
        }
        int line = 0;
        new NumericsRuleLowering(this, bound, type, from, new HashSet<string>(rule.Parameters)).Block(rule.Lines, ref line, topLevel: true);
        _nodes = outer;
        return results;
    }

    private static string Described(ISymbol member) => member switch
    {
        IMethodSymbol { MethodKind: MethodKind.UserDefinedOperator or MethodKind.Conversion } method =>
            method.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat.WithMemberOptions(SymbolDisplayMemberOptions.IncludeContainingType | SymbolDisplayMemberOptions.IncludeParameters)),
        IMethodSymbol { MethodKind: MethodKind.Constructor } constructor => "new " + constructor.ToDisplayString(SymbolDisplayFormat.MinimallyQualifiedFormat.WithMemberOptions(SymbolDisplayMemberOptions.IncludeParameters)),
        _ => $"{member.ContainingType.Name}.{member.Name}",
    };

    /// <summary>What a rule's parameter stands for: the variable of a number, or the variables of a struct's leaves by name.</summary>
    /// <param name="Constant">A compile-time constant passed for a number (<c>new Complex(0, omega)</c>), written as the literal.</param>
    private sealed record NumericsValue(string? Number, IReadOnlyDictionary<string, string>? Leaves, double? Constant = null);

    /// <summary>
    /// An argument of a System.Numerics member: a struct's variables, or a number's variable (a local or parameter read
    /// as it is, anything else computed into a variable of its own first).
    /// </summary>
    private NumericsValue? BindNumericsOperand(IOperation operand, string name, ScalarType type, string from)
    {
        if (StructLayout.Of(operand.Type) is { } layout)
            return LowerStruct(operand) is { } value
                ? new NumericsValue(null, layout.Leaves.Select((leaf, k) => (leaf.Code, Variable: value.Leaves[k])).ToDictionary(l => l.Code, l => l.Variable))
                : null;
        IOperation plain = operand;
        while (plain is IConversionOperation { OperatorMethod: null, Operand: var converted } && ValueType(converted.Type) == ValueType(plain.Type))
            plain = converted;
        string? variable = plain switch
        {
            ILocalReferenceOperation { Local: var local } when _variableNames.TryGetValue(local, out string? known) => known,
            IParameterReferenceOperation { Parameter: var parameter } when !_inlinedArguments.ContainsKey(parameter) && _variableNames.TryGetValue(parameter, out string? known) => known,
            _ => null,
        };
        if (variable is not null)
            return new NumericsValue(variable, null);
        if (operand.ConstantValue is { HasValue: true, Value: var constant } && ToDouble(constant) is double literal)
            return new NumericsValue(null, null, literal);
        if (ValueType(operand.Type) is not ScalarType scalar)
        {
            Refuse(operand, $"A value of type '{operand.Type?.ToDisplayString()}' passed to a System.Numerics member", "pass numbers and System.Numerics structs");
            return null;
        }
        string temporary = NewVariable(name, scalar);
        AssignValue($"{name} = {OneLine(operand.Syntax)};{from}", temporary, operand, declares: true);
        return new NumericsValue(temporary, null);
    }

    /// <summary>
    /// Lowers a rule's lines (<see cref="NumericsRules.Rule"/>): each assignment a statement, each <c>if</c> an
    /// <see cref="IfStatement"/>, its expressions parsed into the statement's nodes.
    /// </summary>
    private sealed class NumericsRuleLowering
    {
        private readonly BodyLowering _lowering;
        private readonly Dictionary<string, NumericsValue> _bound;
        private readonly ScalarType _type;
        private readonly string _from;
        /// <summary>The variables already given a value: a later assignment does not declare them.</summary>
        private readonly HashSet<string> _assigned;

        public NumericsRuleLowering(BodyLowering lowering, Dictionary<string, NumericsValue> bound, ScalarType type, string from, HashSet<string> assigned) =>
            (_lowering, _bound, _type, _from, _assigned) = (lowering, bound, type, from, assigned);

        /// <summary>Lowers lines from <paramref name="line"/> up to an <c>else</c> or <c>end</c> (left for the caller) or the end.</summary>
        public void Block(IReadOnlyList<string> lines, ref int line, bool topLevel)
        {
            while (line < lines.Count && lines[line] is not ("else" or "end"))
            {
                string text = lines[line++];
                if (text.StartsWith("if ", System.StringComparison.Ordinal))
                {
                    int condition = Expression(text.Substring(3));
                    NodeBuilder conditionNodes = _lowering.TakeNodes();
                    int start = line;
                    Block then = _lowering.LowerBlock(() => Block(lines, ref start, topLevel: false));
                    line = start;
                    Block otherwise = new(EquatableArray<Statement>.Empty);
                    if (lines[line] == "else")
                    {
                        line++;
                        int from = line;
                        otherwise = _lowering.LowerBlock(() => Block(lines, ref from, topLevel: false));
                        line = from;
                    }
                    line++; // end
                    _lowering.Add(new IfStatement($"if ({text.Substring(3)}){_from}", conditionNodes.ToNodes(), condition, then, otherwise));
                    continue;
                }
                int equals = text.IndexOf(" = ", System.StringComparison.Ordinal);
                string target = text.Substring(0, equals);
                if (!_bound.TryGetValue(target, out NumericsValue? variable))
                {
                    string name = _lowering.NewVariable(target, _type);
                    _bound[target] = variable = new NumericsValue(name, null);
                }
                ScalarType type = _lowering._variablesByName[variable.Number!].Type;
                int value = _lowering._nodes.Convert(Expression(text.Substring(equals + 3)), type);
                // A variable's first assignment declares it, but inside a branch (a variable set in both arms is declared before them).
                bool declares = _assigned.Add(target) && topLevel;
                _lowering.Add(new AssignStatement($"{text};{_from}", _lowering.TakeNodes(value, out int root), variable.Number!, root, declares));
            }
        }

        private string _text = "";
        private int _at;

        private int Expression(string text)
        {
            (_text, _at) = (text, 0);
            int node = Or();
            Skip();
            if (_at != _text.Length)
                throw new System.InvalidOperationException($"Unreadable System.Numerics rule '{text}' at {_at}.");
            return node;
        }

        private NodeBuilder Nodes => _lowering._nodes;

        private int Or()
        {
            int left = And();
            while (Take("||"))
                left = Nodes.Add(Op.Or, ScalarType.Bool, left, And());
            return left;
        }

        private int And()
        {
            int left = Comparison();
            while (Take("&&"))
                left = Nodes.Add(Op.And, ScalarType.Bool, left, Comparison());
            return left;
        }

        private int Comparison()
        {
            int left = Sum();
            foreach (var (symbol, op) in new[] { ("==", Op.Equal), ("!=", Op.NotEqual), ("<=", Op.LessOrEqual), (">=", Op.GreaterOrEqual), ("<", Op.Less), (">", Op.Greater) })
                if (Take(symbol))
                    return Nodes.Add(op, ScalarType.Bool, left, Sum());
            return left;
        }

        private int Sum()
        {
            int left = Product();
            while (true)
            {
                if (Take("+"))
                    left = Nodes.Add(Op.Add, _type, left, Product());
                else if (Take("-"))
                    left = Nodes.Add(Op.Subtract, _type, left, Product());
                else
                    return left;
            }
        }

        private int Product()
        {
            int left = Unary();
            while (true)
            {
                if (Take("*"))
                    left = Nodes.Add(Op.Multiply, _type, left, Unary());
                else if (Take("/"))
                    left = Nodes.Add(Op.Divide, _type, left, Unary());
                else
                    return left;
            }
        }

        private int Unary() => Take("-") ? Nodes.Add(Op.Negate, _type, Unary()) : Primary();

        private int Primary()
        {
            Skip();
            if (Take("("))
            {
                int inner = Or();
                Take(")");
                return inner;
            }
            int start = _at;
            if (char.IsDigit(_text[_at]))
            {
                while (_at < _text.Length && (char.IsDigit(_text[_at]) || _text[_at] == '.'))
                    _at++;
                return Nodes.Constant(double.Parse(_text.Substring(start, _at - start), CultureInfo.InvariantCulture), _type);
            }
            while (_at < _text.Length && (char.IsLetterOrDigit(_text[_at]) || _text[_at] == '.'))
                _at++;
            string name = _text.Substring(start, _at - start);
            if (Take("("))
            {
                var arguments = new List<int> { Or() };
                while (Take(","))
                    arguments.Add(Or());
                Take(")");
                return Nodes.Add(NumericsRules.Functions[name], _type, arguments.ToArray());
            }
            int dot = name.IndexOf('.');
            NumericsValue value = _bound[dot < 0 ? name : name.Substring(0, dot)];
            if (value.Constant is double constant)
                return Nodes.Constant(constant, _type);
            string variable = dot < 0 ? value.Number! : value.Leaves![name.Substring(dot + 1)];
            return Nodes.Convert(Nodes.Read(variable, _lowering._variablesByName[variable].Type), _type);
        }

        private bool Take(string symbol)
        {
            Skip();
            if (string.CompareOrdinal(_text, _at, symbol, 0, symbol.Length) != 0)
                return false;
            // "<" is not the start of "<=".
            if (symbol is "<" or ">" && _at + 1 < _text.Length && _text[_at + 1] == '=')
                return false;
            _at += symbol.Length;
            return true;
        }

        private void Skip()
        {
            while (_at < _text.Length && _text[_at] == ' ')
                _at++;
        }
    }
}
