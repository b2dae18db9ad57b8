using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Model;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp.Syntax;
using Microsoft.CodeAnalysis.Operations;

namespace Backprop.Generator.Parsing;

/// <summary>
/// Jump elimination: <c>return</c>, <c>break</c> and <c>continue</c> set flag variables, and what follows a statement
/// that may jump runs under an <c>if</c> on those flags, so later stages see only sequence, branch and loop.
/// </summary>
internal sealed partial class BodyLowering
{
    /// <summary>A flag is needed unless the only return is the body's last statement.</summary>
    private static bool NeedsReturnedFlag(IOperation block)
    {
        if (block.Syntax is ArrowExpressionClauseSyntax)
            return false;
        var returns = block.Syntax.DescendantNodesAndSelf(n => n is not (LambdaExpressionSyntax or LocalFunctionStatementSyntax))
            .Where(n => n is ReturnStatementSyntax || (n is ArrowExpressionClauseSyntax)).ToList();
        if (returns.Count != 1)
            return returns.Count > 1;
        // A void body ends with an implicit return, which is not the return written.
        return block is IBlockOperation { Operations: var operations }
            && operations.LastOrDefault(o => o is not IReturnOperation { IsImplicit: true }) is not null and not IReturnOperation;
    }

    /// <summary>Lowers a statement list; after one that may jump, the rest runs under an <c>if</c> on the jump flags.</summary>
    private void LowerStatements(IEnumerable<IOperation> operations)
    {
        List<IOperation> list = operations.ToList();
        for (int i = 0; i < list.Count; i++)
        {
            _cancellationToken.ThrowIfCancellationRequested();
            LowerStatement(list[i]);
            if (list[i] is IReturnOperation or IBranchOperation or IThrowOperation)
                return; // what follows is unreachable; the compiler already warns about it
            List<string> flags = FlagsSetBy(list[i].Syntax);
            if (flags.Count > 0 && i < list.Count - 1)
            {
                LowerUnlessJumped(flags, list.Skip(i + 1).ToList());
                return;
            }
        }
    }

    /// <summary>
    /// The rest of a block after a statement that may jump runs under an <c>if</c> on the jump flags. A local array's
    /// allocation stays at the top level (its adjoint buffer lives to the end of the method), so at the top level the
    /// rest is cut at each allocation, which runs whatever the flags, allocating nothing (length 0) after a return.
    /// </summary>
    private void LowerUnlessJumped(List<string> flags, List<IOperation> rest)
    {
        int allocation = _statements == _topLevel ? rest.FindIndex(IsArrayDeclaration) : -1;
        List<IOperation> guarded = allocation < 0 ? rest : rest.Take(allocation).ToList();
        if (guarded.Count > 0)
        {
            int condition = NoFlagSet(flags);
            NodeBuilder nodes = TakeNodes();
            Block block = LowerBlock(guarded);
            Add(new IfStatement($"if (!({string.Join(" || ", flags)})) — the rest of the block, unless a jump above was taken", nodes.ToNodes(), condition, block,
                new Block(EquatableArray<Statement>.Empty)));
        }
        if (allocation < 0)
            return;
        _allocationGuard = flags;
        LowerStatement(rest[allocation]);
        _allocationGuard = null;
        if (allocation < rest.Count - 1)
            LowerUnlessJumped(flags, rest.Skip(allocation + 1).ToList());
    }

    private static bool IsArrayDeclaration(IOperation statement) =>
        statement is IVariableDeclarationGroupOperation { Declarations.Length: 1 } group && group.Declarations[0].Declarators.Length == 1
        && group.Declarations[0].Declarators[0] is var declarator && declarator.Symbol.Type is IArrayTypeSymbol
        && declarator.GetVariableInitializer()?.Value is IArrayCreationOperation or { Syntax: CollectionExpressionSyntax } or IConversionOperation { Operand.Syntax: CollectionExpressionSyntax };

    private List<string> FlagsSetBy(SyntaxNode syntax)
    {
        var flags = new List<string>();
        JumpsWithin jumps = _jumps.Of(syntax);
        bool returns = jumps.Returns, breaks = false, continues = false;
        // A jump whose target is inside the statement is not the statement's: only those leaving it can be.
        SyntaxNode? own = OwnLoop(syntax.Parent ?? syntax, inclusive: true);
        foreach (var (jump, target) in jumps.Leaving)
        {
            if (target == own)
            {
                breaks |= jump is BreakStatementSyntax;
                continues |= jump is ContinueStatementSyntax;
            }
        }
        if (returns && _returnedFlag is not null)
            flags.Add(_returnedFlag);
        if (_loops.Count > 0)
        {
            if (breaks && _loops.Peek().BreakFlag is string broke)
                flags.Add(broke);
            if (continues && _loops.Peek().ContinueFlag is string continued)
                flags.Add(continued);
        }
        return flags;
    }

    /// <summary>The innermost loop around <paramref name="node"/> (a jump's target).</summary>
    private static SyntaxNode? OwnLoop(SyntaxNode node, bool inclusive = false)
    {
        for (SyntaxNode? current = inclusive ? node : node.Parent; current is not null; current = current.Parent)
        {
            if (current is ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or CommonForEachStatementSyntax)
                return current;
        }
        return null;
    }

    /// <summary>What a <c>break</c> or <c>continue</c> leaves: the innermost loop, or for a <c>break</c> the innermost switch if that is closer.</summary>
    private static SyntaxNode? JumpTarget(SyntaxNode jump)
    {
        for (SyntaxNode? current = jump.Parent; current is not null; current = current.Parent)
        {
            if (current is ForStatementSyntax or WhileStatementSyntax or DoStatementSyntax or CommonForEachStatementSyntax
                || current is SwitchStatementSyntax && jump is BreakStatementSyntax)
                return current;
        }
        return null;
    }

    /// <summary>Whether a jump of kind <typeparamref name="T"/> in <paramref name="loopBody"/> leaves it for <paramref name="loop"/> (which holds the body).</summary>
    private bool HasJump<T>(SyntaxNode loopBody, SyntaxNode loop) where T : SyntaxNode =>
        loopBody.Contains(loop)
            ? loopBody.DescendantNodesAndSelf(n => n is not (LambdaExpressionSyntax or LocalFunctionStatementSyntax)).OfType<T>().Any(j => JumpTarget(j) == loop)
            : _jumps.Of(loopBody).Leaving.Any(j => j.Jump is T && j.Target == loop);

    /// <summary>
    /// The flags a loop's jumps set: <c>broke</c> (cleared here, before the loop) and <c>continued</c> (cleared at the
    /// top of each iteration by the caller), and in <paramref name="leaveFlags"/> those that end the loop (a break, a
    /// return inside), tested before the loop's own condition.
    /// </summary>
    private Loop JumpFlags(SyntaxNode body, SyntaxNode loop, out List<string> leaveFlags)
    {
        var context = new Loop();
        if (HasJump<BreakStatementSyntax>(body, loop))
        {
            context.BreakFlag = NewVariable("broke", ScalarType.Bool);
            AssignConstant("(no break yet)", context.BreakFlag, 0);
        }
        if (HasJump<ContinueStatementSyntax>(body, loop))
            context.ContinueFlag = NewVariable("continued", ScalarType.Bool);
        leaveFlags = new List<string>();
        if (_returnedFlag is not null && _jumps.Of(body).ReturnsAnywhere)
            leaveFlags.Add(_returnedFlag);
        if (context.BreakFlag is not null)
            leaveFlags.Add(context.BreakFlag);
        return context;
    }

    /// <summary>A condition that holds when none of <paramref name="flags"/> is set: <c>!(f1 || f2)</c>.</summary>
    private int NoFlagSet(List<string> flags)
    {
        int any = _nodes.Read(flags[0], ScalarType.Bool);
        for (int i = 1; i < flags.Count; i++)
            any = _nodes.Add(Op.Or, ScalarType.Bool, any, _nodes.Read(flags[i], ScalarType.Bool));
        return _nodes.Add(Op.Not, ScalarType.Bool, any);
    }

    private readonly JumpIndex _jumps = new();

    /// <summary>What a syntax node holds of jumps, outside lambdas and local functions unless said otherwise.</summary>
    /// <param name="Returns">A <c>return</c>, outside lambdas and local functions.</param>
    /// <param name="ReturnsAnywhere">A <c>return</c>, lambdas and local functions included.</param>
    /// <param name="Leaving">The <c>break</c>s and <c>continue</c>s whose target is outside the node, each with its target.</param>
    private sealed record JumpsWithin(bool Returns, bool ReturnsAnywhere, (SyntaxNode Jump, SyntaxNode? Target)[] Leaving);

    /// <summary>
    /// Each statement's <see cref="JumpsWithin"/>, found from its children's and kept: asking about every statement of a
    /// body, nested ones too, walks each node once (a walk of each statement's subtree is n² for blocks nested n deep).
    /// An expression holds a jump only inside a lambda or an anonymous method: it is walked when its statement is, not kept.
    /// </summary>
    private sealed class JumpIndex
    {
        private static readonly JumpsWithin s_none = new(false, false, new (SyntaxNode, SyntaxNode?)[0]);
        private readonly Dictionary<SyntaxNode, JumpsWithin> _known = new();

        public JumpsWithin Of(SyntaxNode syntax)
        {
            if (syntax is ExpressionSyntax expression)
                return OfExpression(expression);
            if (_known.TryGetValue(syntax, out JumpsWithin? known))
                return known;
            // Descendants before their ancestors: the reverse of a walk that visits a node before its children.
            List<SyntaxNode> unknown = syntax.DescendantNodesAndSelf(Unknown).Where(Unknown).ToList();
            for (int i = unknown.Count - 1; i >= 0; i--)
                _known[unknown[i]] = Combine(unknown[i]);
            return _known[syntax];
        }

        private bool Unknown(SyntaxNode node) => node is not ExpressionSyntax && !_known.ContainsKey(node);

        private JumpsWithin Combine(SyntaxNode node)
        {
            if (node is ReturnStatementSyntax)
                return new JumpsWithin(true, true, s_none.Leaving);
            if (node is BreakStatementSyntax or ContinueStatementSyntax)
                return new JumpsWithin(false, false, new[] { (node, JumpTarget(node)) });
            bool opaque = node is LambdaExpressionSyntax or LocalFunctionStatementSyntax;
            bool returns = false, anywhere = false;
            List<(SyntaxNode, SyntaxNode?)>? leaving = null;
            foreach (SyntaxNode child in node.ChildNodes())
            {
                JumpsWithin inner = child is ExpressionSyntax expression ? OfExpression(expression) : _known[child];
                anywhere |= inner.ReturnsAnywhere;
                if (opaque)
                    continue;
                returns |= inner.Returns;
                foreach (var jump in inner.Leaving)
                {
                    if (jump.Target != node)
                        (leaving ??= new()).Add(jump);
                }
            }
            return !anywhere && leaving is null ? s_none : new JumpsWithin(returns, anywhere, leaving?.ToArray() ?? s_none.Leaving);
        }

        /// <summary>An expression's jumps, from one walk of it: those not inside a lambda or local function count as its own.</summary>
        private static JumpsWithin OfExpression(ExpressionSyntax expression)
        {
            bool returns = false, anywhere = false;
            List<(SyntaxNode, SyntaxNode?)>? leaving = null;
            foreach (SyntaxNode node in expression.DescendantNodesAndSelf())
            {
                if (node is not (ReturnStatementSyntax or BreakStatementSyntax or ContinueStatementSyntax))
                    continue;
                anywhere |= node is ReturnStatementSyntax;
                if (!Visible(node, expression))
                    continue;
                returns |= node is ReturnStatementSyntax;
                if (node is BreakStatementSyntax or ContinueStatementSyntax && JumpTarget(node) is var target && (target is null || !expression.Contains(target)))
                    (leaving ??= new()).Add((node, target));
            }
            return !anywhere && leaving is null ? s_none : new JumpsWithin(returns, anywhere, leaving?.ToArray() ?? s_none.Leaving);
        }

        /// <summary>Whether no lambda or local function between <paramref name="node"/> and <paramref name="root"/> (itself included) hides it.</summary>
        private static bool Visible(SyntaxNode node, SyntaxNode root)
        {
            for (SyntaxNode? current = node.Parent; current is not null; current = current.Parent)
            {
                if (current is LambdaExpressionSyntax or LocalFunctionStatementSyntax)
                    return false;
                if (current == root)
                    return true;
            }
            return true;
        }
    }
}
