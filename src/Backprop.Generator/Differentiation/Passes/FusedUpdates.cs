using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>
/// A model's train step: the gradient's own code, with the optimizer's update of each parameter placed right after the
/// last line of the reverse sweep that mentions the parameter, its gradient, or a name that may hold the parameter's
/// matrix or array. From there on the sweep reads neither, so the update changes nothing the sweep computes: the
/// gradients are the gradient method's, bit for bit, and each update is the one <c>Optimizer.Step</c> would make, while
/// the gradient it reads was just written. Gradients of the method's own parameters, which a train step has nowhere to
/// put, go to locals and scratch.
/// </summary>
internal static class FusedUpdates
{
    public static MethodBody Apply(FunctionSpec function, MethodBody gradient)
    {
        string method = function.Name + Naming.TrainStepSuffix;
        var lines = new List<CodeLine>
        {
            new OptimizerGradientsLine(function.Model!, function.ModelParameters[0].Element, method),
        };
        var discarded = function.Parameters.Where(p => p.Role != ParameterRole.Passive).ToList();
        foreach (ParameterSpec own in discarded.Where(p => p.Role == ParameterRole.Scalar))
            lines.Add(new DeclareLine(own.Type!.Value.Keyword(), own.GradientName, new ConstantExpr(0, own.Type.Value)));
        foreach (CodeLine line in gradient.Body)
        {
            switch (line)
            {
                // The caller gives no buffers for the method's own parameters: scratch holds their gradients.
                case CheckLengthLine check when discarded.Any(p => p.GradientName == check.Gradient):
                    lines.Add(new RentLine(discarded.First(p => p.GradientName == check.Gradient).Type!.Value, check.Gradient, new LengthExpr(check.Array)));
                    break;
                case RequireShapeLine require when discarded.Any(p => p.GradientName == require.Gradient):
                    break;
                case RequireShapeLine require:
                    lines.Add(require with { Method = method });
                    break;
                case ArenaLine { Rent: true } arena:
                    lines.Add(arena);
                    foreach (ParameterSpec own in discarded.Where(p => p.Role == ParameterRole.Matrix))
                        lines.Add(new DeclareLine(ValueShapes.MatrixType(own.Type!.Value), own.GradientName, new SlotExpr(new NameExpr(own.Name, own.Type.Value), null, own.Type.Value)));
                    break;
                default:
                    lines.Add(line);
                    break;
            }
        }
        lines.AddRange(discarded.Where(p => p.Role == ParameterRole.Array).Select(p => new ReturnLine(p.GradientName)));

        var trained = function.Fields.Where(f => f.Role != ParameterRole.Passive).ToList();
        // A matrix's gradient is finished (zeroed if nothing reached it) just before its update, not at the end; the
        // method's own matrices' gradients are thrown away unfinished.
        var finishes = lines.OfType<FinishLine>().ToDictionary(f => f.Gradient);
        lines.RemoveAll(line => line is FinishLine);
        int reverse = lines.FindIndex(line => line is CommentLine { Text: GradientBuilder.ReversePass });
        lines.Insert(reverse + 1, new BeginStepLine());
        var mentions = lines.Select(Mentions).ToList();

        var updates = new List<(int After, IEnumerable<CodeLine> Lines)>();
        var stacks = new List<string>();
        for (int position = 0; position < trained.Count; position++)
        {
            ParameterSpec field = trained[position];
            var names = new HashSet<string>(Aliases(function.Body, field.Name)) { field.GradientName };
            if (finishes.TryGetValue(field.GradientName, out FinishLine? finish))
                names.Add(finish.Written);
            int last = reverse + 1;
            for (int i = last + 1; i < lines.Count; i++)
            {
                if (mentions[i] is not { } mentioned || mentioned.Overlaps(names))
                    last = i;
            }
            var update = new List<CodeLine> { new CommentLine($"{Unescaped(field.Field!)} has its whole gradient: its update.") };
            if (finish is not null)
                update.Add(finish);
            update.Add(new UpdateLine(field, position - stacks.Count, stacks.ToEquatableArray()));
            updates.Add((last, update));
            if (field.Role == ParameterRole.MatrixArray)
                stacks.Add(field.Name);
        }
        // Last place first, so that earlier places keep their index; updates at one place in the walk's order.
        foreach (var group in updates.GroupBy(u => u.After).OrderByDescending(g => g.Key))
            lines.InsertRange(group.Key + 1, group.SelectMany(u => u.Lines));
        return gradient with { Body = lines.ToEquatableArray() };
    }

    /// <summary>
    /// The variables that may hold the matrix or array of parameter <paramref name="parameter"/>: it, and what takes its
    /// reference (a plain assignment, an element of a stack, a choice between references, a swap), transitively.
    /// An operation's result is a new matrix, never an alias.
    /// </summary>
    private static HashSet<string> Aliases(ForwardProgram program, string parameter)
    {
        var references = new HashSet<string>(program.Variables.Where(v => v.Shape is ValueShape.Matrix or ValueShape.MatrixArray or ValueShape.Array).Select(v => v.Name));
        var aliases = new HashSet<string> { parameter };
        for (int before = 0; before != aliases.Count;)
        {
            before = aliases.Count;
            foreach (Statement statement in Statements.All(program.Body))
            {
                switch (statement)
                {
                    case SwapStatement swap when aliases.Contains(swap.A) || aliases.Contains(swap.B):
                        aliases.Add(swap.A);
                        aliases.Add(swap.B);
                        break;
                    case AssignStatement assign when references.Contains(assign.Target) && assign.Nodes[assign.Value].Op != Op.Call && Reads(assign, aliases):
                        aliases.Add(assign.Target);
                        break;
                    case StoreStatement store when references.Contains(store.Array) && Reads(store, aliases):
                        aliases.Add(store.Array);
                        break;
                }
            }
        }
        return aliases;
    }

    private static bool Reads(Statement statement, HashSet<string> names) => statement.Nodes.Any(n => n.Name is { } name && names.Contains(name));

    /// <summary>Every name a line reads or writes, nested lines' included; <c>null</c> for a line that may touch any.</summary>
    private static HashSet<string>? Mentions(CodeLine line)
    {
        var names = new HashSet<string>();
        (Expr Condition, IEnumerable<CodeLine> Body)? block = line switch
        {
            IfLine branch => (branch.Condition, branch.Then.Concat(branch.Else)),
            WhileLine loop => (loop.Condition, loop.Body),
            CountdownLine countdown => (countdown.Count, countdown.Body),
            _ => null,
        };
        if (block is var (condition, body))
        {
            StatementCode.Names(condition, names);
            foreach (CodeLine inner in body)
            {
                if (Mentions(inner) is not { } mentioned)
                    return null;
                names.UnionWith(mentioned);
            }
            return names;
        }
        if (FirstWrites.Mentioned(line, names))
            return names;
        names.Clear();
        switch (line)
        {
            case EffectLine effect:
                names.UnionWith(effect.Reads);
                return names;
            case ScaleLine scale:
                names.Add(scale.Target);
                StatementCode.Names(scale.Scale, names);
                return names;
            case CopyLine copy:
                names.Add(copy.Source);
                names.Add(copy.Destination);
                return names;
            case ClearLine clear:
                names.Add(clear.Array);
                return names;
            case ClearMatricesLine clear:
                names.Add(clear.Gradients);
                return names;
            case RentLine rent:
                names.Add(rent.Name);
                return names;
            case ReturnLine returned:
                names.Add(returned.Name);
                return names;
            case WriteIntoLine write:
                names.Add(write.Derivative);
                names.Add(write.Destination);
                return names;
            case IncrementLine increment:
                names.Add(increment.Name);
                return names;
            case TapeLine or ArenaLine or BeginStepLine:
                return names;
            default:
                return null;
        }
    }

    private static string Unescaped(string path) => path.Replace("@", "");
}
