using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Branches on values: <c>switch</c> statements and expressions and <c>is</c> patterns, lowered to the <c>if</c>/<c>else</c>
/// chain they mean (the first section or arm whose pattern matches runs), so the branch that ran is differentiated, as
/// for <c>if</c>. Patterns become conditions: constants, relations, <c>and</c>/<c>or</c>/<c>not</c>, discards, and
/// <c>var</c> or same-type declarations.
/// </summary>
internal sealed partial class BodyLowering
{
    private const string PatternAdvice = "match constants, relations (< 0), and/or/not of them, _ and var; or test the value with if/else";

    private void LowerSwitch(ISwitchOperation switchOperation)
    {
        if (SwitchedVariable(switchOperation.Value) is not string switched)
            return;
        ScalarType type = _variablesByName[switched].Type;
        string header = $"switch ({OneLine(switchOperation.Value.Syntax)})";
        var sections = switchOperation.Cases.Where(c => !c.Clauses.Any(l => l is IDefaultCaseClauseOperation)).ToList();
        ISwitchCaseOperation? fallback = switchOperation.Cases.FirstOrDefault(c => c.Clauses.Any(l => l is IDefaultCaseClauseOperation));
        LowerSections(0);

        void LowerSections(int i)
        {
            if (i == sections.Count)
            {
                if (fallback is not null)
                    LowerSection(fallback, switchOperation);
                return;
            }
            ISwitchCaseOperation section = sections[i];
            int? condition = null;
            foreach (ICaseClauseOperation clause in section.Clauses)
            {
                int? matches = clause switch
                {
                    ISingleValueCaseClauseOperation single => EqualsConstant(_nodes.Read(switched, type), single.Value),
                    IPatternCaseClauseOperation pattern => Guarded(Matches(pattern.Pattern, switched, type), pattern.Guard),
                    _ => Report(Diagnostics.UnsupportedStatement, clause.Syntax, $"The case label '{clause.Syntax}'", PatternAdvice),
                };
                if (matches is not int m)
                    return;
                condition = condition is int c ? _nodes.Add(Op.Or, ScalarType.Bool, c, m) : m;
            }
            NodeBuilder nodes = TakeNodes();
            Block then = LowerBlock(() => LowerSection(section, switchOperation));
            Block otherwise = LowerBlock(() => LowerSections(i + 1));
            string labels = string.Join(" ", section.Clauses.Select(c => OneLine(c.Syntax)));
            Add(new IfStatement($"{header} {labels}", nodes.ToNodes(), condition!.Value, then, otherwise));
        }
    }

    /// <summary>A section's statements, without the <c>break</c> that ends it; a <c>break</c> anywhere else would leave it mid-way.</summary>
    private void LowerSection(ISwitchCaseOperation section, ISwitchOperation switchOperation)
    {
        List<IOperation> body = section.Body.ToList();
        if (body.Count > 0 && body[body.Count - 1] is IBranchOperation { BranchKind: BranchKind.Break } last
            && SymbolEqualityComparer.Default.Equals(last.Target, switchOperation.ExitLabel))
            body.RemoveAt(body.Count - 1);
        if (body.SelectMany(s => s.DescendantsAndSelf()).OfType<IBranchOperation>().FirstOrDefault(b =>
            b.BranchKind == BranchKind.Break && SymbolEqualityComparer.Default.Equals(b.Target, switchOperation.ExitLabel)) is { } early)
        {
            UnsupportedStatement(early.Syntax, "A break out of a switch section before its end", "end the section with its one break, and put what comes before it under if/else");
            return;
        }
        LowerStatements(body);
    }

    /// <summary>
    /// <c>value switch { pattern =&gt; result, … }</c>: an <c>if</c> chain assigning a new variable, so only the arm that
    /// matched is evaluated (and differentiated); when no arm matches, it throws as C# does.
    /// </summary>
    private int? LowerSwitchExpression(ISwitchExpressionOperation switchExpression, ScalarType type, ValueShape shape = ValueShape.Scalar)
    {
        NodeBuilder outer = _nodes;
        _nodes = new NodeBuilder();
        string text = OneLine(switchExpression.Syntax);
        string result = NewVariable("choice", type, shape, VariableKind.Synthetic);
        string? switched = SwitchedVariable(switchExpression.Value);
        if (switched is not null)
            LowerArms(0);
        _nodes = outer;
        return switched is null ? null : _nodes.Read(result, type, shape);

        void LowerArms(int i)
        {
            if (i == switchExpression.Arms.Length)
            {
                Add(new EffectStatement($"throw new SwitchExpressionException({switched}); — no arm of {text} matched",
                    $"throw new global::System.Runtime.CompilerServices.SwitchExpressionException((object){Naming.Identifier(switched!)})",
                    new EquatableArray<string>(new[] { switched! })));
                return;
            }
            ISwitchExpressionArmOperation arm = switchExpression.Arms[i];
            string source = "from " + text;
            if (arm.Pattern is IDiscardPatternOperation && arm.Guard is null)
            {
                LowerArmValue(arm, source);
                return;
            }
            if (Guarded(Matches(arm.Pattern, switched!, _variablesByName[switched!].Type), arm.Guard) is not int condition)
                return;
            NodeBuilder nodes = TakeNodes();
            Block then = LowerBlock(() => LowerArmValue(arm, source));
            Block otherwise = LowerBlock(() => LowerArms(i + 1));
            string guard = arm.Guard is null ? "" : " when " + OneLine(arm.Guard.Syntax);
            Add(new IfStatement($"if ({OneLine(switchExpression.Value.Syntax)} is {OneLine(arm.Pattern.Syntax)}{guard}) — from {text}",
                nodes.ToNodes(), condition, then, otherwise));
        }

        void LowerArmValue(ISwitchExpressionArmOperation arm, string source)
        {
            if (Unconverted(arm.Value) is IThrowOperation thrown)
                LowerEffect(thrown, $"{OneLine(thrown.Syntax)}; — {source}");
            else
                AssignValue($"{result} = {OneLine(arm.Value.Syntax)}; — {source}", result, arm.Value, declares: false);
        }
    }

    /// <summary><c>value is pattern</c> inside an expression: the pattern as a condition on the value's node.</summary>
    private int? LowerIsPattern(IIsPatternOperation isPattern)
    {
        if (isPattern.Pattern.DescendantsAndSelf().Any(p => p is IDeclarationPatternOperation { DeclaredSymbol: not null }))
            return Report(Diagnostics.UnsupportedExpression, isPattern.Syntax, $"The declaration in '{OneLine(isPattern.Syntax)}'",
                "assign the value to a local first and test that");
        if (LowerValue(isPattern.Value) is not int value)
            return null;
        return Condition(isPattern.Pattern, value);
    }

    /// <summary>
    /// The variable a switch tests: the local or parameter it reads, or a new variable assigned its value once, before
    /// the sections test it (at the statement being lowered, whose nodes are set aside meanwhile).
    /// </summary>
    private string? SwitchedVariable(IOperation value)
    {
        // A const local has no variable (its reads are constants): it is switched on through one, as any expression is.
        if (Unconverted(value) is ILocalReferenceOperation { Local.IsConst: false } or IParameterReferenceOperation && ValueType(Unconverted(value).Type) == ValueType(value.Type)
            && TargetVariable(Unconverted(value)) is string variable)
            return variable;
        if (ValueType(value.Type) is not ScalarType type)
        {
            Report(Diagnostics.UnsupportedExpression, value.Syntax, $"Switching on '{OneLine(value.Syntax)}' of type '{value.Type?.ToDisplayString()}'",
                "switch on a number, a bool or an enum");
            return null;
        }
        NodeBuilder outer = _nodes;
        _nodes = new NodeBuilder();
        string switched = NewVariable("switched", type);
        AssignValue($"{switched} = {OneLine(value.Syntax)}; — the value switched on", switched, value, declares: false);
        _nodes = outer;
        return switched;
    }

    /// <summary>Whether the variable matches the pattern; a declaration pattern first assigns the variable to its local.</summary>
    private int? Matches(IPatternOperation pattern, string variable, ScalarType type)
    {
        foreach (IDeclarationPatternOperation declaration in pattern.DescendantsAndSelf().OfType<IDeclarationPatternOperation>())
        {
            if (declaration.DeclaredSymbol is not ILocalSymbol local)
                continue;
            // The declared local only holds the switched value, so it may be assigned before the first test.
            NodeBuilder outer = _nodes;
            _nodes = new NodeBuilder();
            string name = DeclareLocal(local);
            Add(new AssignStatement($"{local.Name} = {variable}; — from {OneLine(declaration.Syntax)}",
                TakeNodes(_nodes.Convert(_nodes.Read(variable, type), _variablesByName[name].Type), out int read), name, read, false));
            _nodes = outer;
        }
        return Condition(pattern, _nodes.Read(variable, type));
    }

    private int? Guarded(int? condition, IOperation? guard)
    {
        if (condition is not int c || guard is null)
            return condition;
        return LowerValue(guard) is int g ? _nodes.Add(Op.And, ScalarType.Bool, c, g) : null;
    }

    /// <summary>A pattern as a condition on <paramref name="value"/>.</summary>
    private int? Condition(IPatternOperation pattern, int value)
    {
        switch (pattern)
        {
            case IConstantPatternOperation constant:
                return EqualsConstant(value, constant.Value);
            case IRelationalPatternOperation relational when ToOp(relational.OperatorKind) is Op op && IsComparison(op):
                return LowerValue(relational.Value) is int bound ? Compare(op, value, bound) : null;
            case INegatedPatternOperation negated:
                return Condition(negated.Pattern, value) is int inner ? _nodes.Add(Op.Not, ScalarType.Bool, inner) : null;
            case IBinaryPatternOperation binary:
                int? left = Condition(binary.LeftPattern, value), right = Condition(binary.RightPattern, value);
                return left is int l && right is int r ? _nodes.Add(binary.OperatorKind == BinaryOperatorKind.And ? Op.And : Op.Or, ScalarType.Bool, l, r) : null;
            case IDiscardPatternOperation:
                return _nodes.Constant(1, ScalarType.Bool);
            case IDeclarationPatternOperation declaration when declaration.MatchesNull || SymbolEqualityComparer.Default.Equals(declaration.MatchedType, declaration.InputType):
                return _nodes.Constant(1, ScalarType.Bool);
            case ITypePatternOperation typePattern when SymbolEqualityComparer.Default.Equals(typePattern.MatchedType, typePattern.InputType):
                return _nodes.Constant(1, ScalarType.Bool);
            default:
                return Report(Diagnostics.UnsupportedExpression, pattern.Syntax, $"The pattern '{OneLine(pattern.Syntax)}'", PatternAdvice);
        }
    }

    /// <summary><c>value == constant</c>, where a NaN constant matches NaN, as its pattern does (NaN == NaN is false).</summary>
    private int? EqualsConstant(int value, IOperation constant)
    {
        if (constant.ConstantValue is { HasValue: true, Value: double or float } c && double.IsNaN(System.Convert.ToDouble(c.Value, System.Globalization.CultureInfo.InvariantCulture)))
            return _nodes.Add(Op.NotEqual, ScalarType.Bool, value, value);
        return LowerValue(constant) is int right ? Compare(Op.Equal, value, right) : null;
    }

}
