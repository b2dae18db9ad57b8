using System;
using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>The gradient method differentiated in forward mode, and the names its signature adds.</summary>
/// <param name="Directions">Per differentiable parameter, in order: the direction's name.</param>
/// <param name="Products">Per differentiable parameter, in order: the name of its Hessian-vector product (the tangent of its gradient).</param>
/// <param name="ProductOnly">
/// <c>FHessianVector</c>'s own body, with the public names (directions <c>dx</c>, products <c>hx</c>): the same code without
/// what only the gradient needs; <c>null</c> where a product reads the gradient, and <c>FHessianVector</c> calls <see cref="Body"/>.
/// </param>
internal sealed record HessianVectorBody(MethodBody Body, EquatableArray<string> Directions, EquatableArray<string> Products, MethodBody? ProductOnly);

/// <summary>
/// Forward over reverse: the gradient's own code, each line followed (or, where it overwrites what its
/// tangent reads, preceded) by its tangent along the given direction, over plain numbers. The tangent
/// of the gradient outputs is H·v. Only names whose value depends on the direction get a tangent
/// (<c>a_dot</c>): a fixpoint over the lines, since loops carry values backwards. Each expression's
/// tangent comes from the rules in <see cref="Rules"/>, as in <see cref="TangentBuilder"/>; calls to other
/// <c>[Differentiable]</c> methods call their tangent (forward pass) or their own product (reverse pass).
/// A pure function of the model.
/// </summary>
internal sealed partial class HessianVectorBuilder
{
    private readonly FunctionSpec _function;
    private readonly HashSet<string> _arrays;
    private readonly HashSet<string> _reserved;
    private readonly HashSet<string> _varied = new();
    /// <summary>The names that hold matrices: variables, gradients, shares, copies.</summary>
    private readonly HashSet<string> _matrices;
    /// <summary>Each matrix parameter's written flag, by name, with the gradient it is the flag of.</summary>
    private readonly Dictionary<string, string> _flags = new();
    private readonly Dictionary<string, string> _fixedNames = new();
    private Dictionary<string, string> _tangentNames = new();
    private NameAllocator _names = new(Array.Empty<string>());
    private List<string> _rented = new();
    /// <summary>Arrays that are reassigned or swapped, and their tangents: one may refer to another's array, so none is dead code.</summary>
    private readonly HashSet<string> _rebound = new();
    private bool _grew;

    private HessianVectorBuilder(FunctionSpec function, MethodBody gradient)
    {
        _function = function;
        _arrays = new HashSet<string>(function.Body.Variables.Where(v => v.IsArray).Select(v => v.Name)
            .Concat(function.Inputs.Where(p => p.Role == ParameterRole.Array).Select(p => p.GradientName)));
        _reserved = new HashSet<string>(function.Body.Variables.Select(v => v.Name)
            .Concat(function.Inputs.SelectMany(p => new[] { p.Name, p.GradientName }))
            .Append(function.TapeName).Append(function.ArenaName));
        _matrices = new HashSet<string>(function.Body.Variables.Where(v => v.Shape is ValueShape.Matrix or ValueShape.MatrixArray).Select(v => v.Name)
            .Concat(function.Inputs.Where(p => p.TakesMatrices).Select(p => p.GradientName)));
        foreach (FinishLine finish in gradient.Body.OfType<FinishLine>())
            _flags[finish.Written] = finish.Gradient;
        CollectNames(gradient.Body);
        var signature = new NameAllocator(_reserved);
        foreach (ParameterSpec parameter in Differentiable)
        {
            _fixedNames[parameter.Name] = signature.Allocate(Naming.Tangent(parameter.Name));
            _fixedNames[parameter.GradientName] = signature.Allocate(Naming.Product(parameter.Name));
            _varied.Add(parameter.Name);
            // The products are outputs: written wherever the gradient is, zero where it does not move.
            _varied.Add(parameter.GradientName);
        }
        // A model's field moves along its member of the direction, and its gradient's tangent is its member of the product.
        foreach (ParameterSpec field in _function.Fields.Where(f => f.Role != ParameterRole.Passive))
        {
            _fixedNames[field.Name] = ModelBinding.Derivative(field, Naming.ModelDirection);
            _fixedNames[field.GradientName] = ModelBinding.Derivative(field, Naming.ModelProduct);
            _varied.Add(field.Name);
            _varied.Add(field.GradientName);
        }
        _reserved.UnionWith(_fixedNames.Values);
    }

    private IEnumerable<ParameterSpec> Differentiable => _function.Parameters.Where(p => p.Role != ParameterRole.Passive);

    public static HessianVectorBody Build(FunctionSpec function, MethodBody gradient) => new HessianVectorBuilder(function, gradient).Build(gradient);

    private HessianVectorBody Build(MethodBody gradient)
    {
        List<CodeLine> lines;
        do
        {
            _grew = false;
            _tangentNames = new Dictionary<string, string>(_fixedNames);
            _names = new NameAllocator(_reserved);
            _rented = new List<string>();
            lines = Lines(gradient.Body);
        }
        while (_grew);
        lines.AddRange(_rented.Select(name => new ReturnLine(name)));
        // A [NoDerivative] parameter reassigned from values that move along the direction needs a tangent of its own, and
        // a [NoDerivative] array that shares a name with ones that move a zero tangent.
        var passive = _function.Parameters.Where(p => p.Role == ParameterRole.Passive && _varied.Contains(p.Name)).ToList();
        lines.InsertRange(0, passive.Select(p => p.IsArray
            ? new RentLine(p.Type!.Value, TangentName(p.Name), new LengthExpr(p.Name))
            : (CodeLine)new DeclareLine(p.Type!.Value.Keyword(), TangentName(p.Name), new ConstantExpr(0, p.Type!.Value))));
        lines.AddRange(passive.Where(p => p.IsArray).Select(p => new ReturnLine(TangentName(p.Name))));
        var products = Differentiable.Select(p => _fixedNames[p.GradientName]).ToList();
        // Matrix code is kept whole: its buffers are written through shares and rules the liveness pass does not model.
        // A model's fields' products (product.C) are outputs too.
        var tangents = new HashSet<string>(_tangentNames.Values);
        var outputs = products.Concat(_function.Fields.Where(f => f.Role != ParameterRole.Passive).Select(f => _fixedNames[f.GradientName]));
        if (!_function.UsesMatrices)
            lines = Liveness.RemoveDead(lines, name => tangents.Contains(name) && !_rebound.Contains(name), outputs).Lines;

        var body = new List<CodeLine>();
        if (_function.IsModelMethod)
            body.AddRange(ModelBinding.NullChecks(_function, Naming.ModelDirection).Concat(ModelBinding.NullChecks(_function, Naming.ModelProduct)));
        foreach (ParameterSpec parameter in _function.Parameters.Where(p => p.Role == ParameterRole.Array && !p.ShapeCheckedBySignature))
        {
            body.Add(new CheckLengthLine(parameter.Name, _fixedNames[parameter.Name]));
            body.Add(new CheckLengthLine(parameter.Name, _fixedNames[parameter.GradientName]));
        }
        foreach (ParameterSpec parameter in _function.Parameters.Where(p => p.TakesMatrices))
        {
            body.Add(new RequireShapeLine(parameter.Name, _fixedNames[parameter.Name], _function.Name + Naming.GradientHessianVectorSuffix));
            body.Add(new RequireShapeLine(parameter.Name, _fixedNames[parameter.GradientName], _function.Name + Naming.GradientHessianVectorSuffix));
        }
        body.AddRange(lines);
        return new HessianVectorBody(new MethodBody(body.ToEquatableArray(), gradient.Result),
            Differentiable.Select(p => _fixedNames[p.Name]).ToEquatableArray(), products.ToEquatableArray(),
            ProductOnly(lines, gradient.Result));
    }

    /// <summary>
    /// The product without the gradient: everything no product and not the value depends on goes. Directions
    /// arrive under the gradient's names (<c>dx</c>), so this exists only where the gradient itself is then dead
    /// and the products kept their public names (<c>hx</c>).
    /// </summary>
    private MethodBody? ProductOnly(List<CodeLine> lines, Expr result)
    {
        if (_function.UsesMatrices || Differentiable.Any(p => _fixedNames[p.GradientName] != Naming.Product(p.Name)))
            return null;
        var outputs = new HashSet<string>(Differentiable.Select(p => _fixedNames[p.GradientName]));
        StatementCode.Names(result, outputs);
        var (kept, live) = Liveness.RemoveDead(lines.Where(line => line is not CheckLengthLine).ToList(), name => !_rebound.Contains(name), outputs);
        if (Differentiable.Any(p => live.Contains(p.GradientName)))
            return null;
        var body = new List<CodeLine>();
        foreach (ParameterSpec parameter in Differentiable.Where(p => p.Role == ParameterRole.Array && !p.ShapeCheckedBySignature))
        {
            body.Add(new CheckLengthLine(parameter.Name, parameter.GradientName));
            body.Add(new CheckLengthLine(parameter.Name, Naming.Product(parameter.Name)));
        }
        foreach (ParameterSpec parameter in Differentiable)
        {
            ScalarType type = parameter.Type!.Value;
            body.Add(new DeclareLine(parameter.IsArray ? parameter.BufferType(written: false) : type.Keyword(), _fixedNames[parameter.Name], new NameExpr(parameter.GradientName, type)));
        }
        body.AddRange(kept);
        return new MethodBody(body.ToEquatableArray(), result);
    }

    private void CollectNames(EquatableArray<CodeLine> lines)
    {
        foreach (CodeLine line in lines)
        {
            switch (line)
            {
                case DeclareLine declare:
                    _reserved.Add(declare.Name);
                    if (ValueShapes.IsMatrixType(declare.Type))
                        _matrices.Add(declare.Name);
                    else if (declare.Type.EndsWith("[]", StringComparison.Ordinal))
                        _arrays.Add(declare.Name);
                    break;
                case RentLine rent:
                    _reserved.Add(rent.Name);
                    _arrays.Add(rent.Name);
                    break;
                case AllocateLine allocate:
                    _reserved.Add(allocate.Name);
                    _arrays.Add(allocate.Name);
                    break;
                case CallGradientLine call:
                    _reserved.UnionWith(call.Outputs);
                    _arrays.UnionWith(call.Outputs.Where((o, i) => call.Buffers[i] && !_matrices.Contains(o) && o != "null"));
                    break;
                case CountdownLine countdown:
                    _reserved.Add(countdown.Counter);
                    CollectNames(countdown.Body);
                    break;
                case IfLine branch:
                    CollectNames(branch.Then);
                    CollectNames(branch.Else);
                    break;
                case WhileLine loop:
                    CollectNames(loop.Body);
                    break;
            }
        }
    }

    private string TangentName(string name)
    {
        if (!_tangentNames.TryGetValue(name, out string? tangent))
            _tangentNames[name] = tangent = _names.Allocate(Naming.Tangent(name));
        return tangent;
    }

    /// <summary>Records that <paramref name="name"/> is written a value that moves along the direction.</summary>
    private bool Vary(string name, bool moves)
    {
        if (moves && _varied.Add(name))
            _grew = true;
        return _varied.Contains(name);
    }

    private List<CodeLine> Lines(EquatableArray<CodeLine> lines)
    {
        var output = new List<CodeLine>();
        foreach (CodeLine line in lines)
            Line(output, line);
        return output;
    }

    private void Line(List<CodeLine> output, CodeLine line)
    {
        if (ModelLine(output, line) || MatrixLine(output, line))
            return;
        switch (line)
        {
            case DeclareLine { Value: NameExpr or NullExpr } array when _arrays.Contains(array.Name):
                Rebind(output, array, array.Name, array.Value);
                break;
            case AssignLine { Target: NameExpr target, Accumulate: false } array when _arrays.Contains(target.Name):
                Rebind(output, array, target.Name, array.Value);
                break;
            case SwapLine swap:
                _rebound.UnionWith(new[] { swap.A, swap.B });
                output.Add(swap);
                if (Vary(swap.A, _varied.Contains(swap.B)) | Vary(swap.B, _varied.Contains(swap.A)))
                {
                    output.Add(new SwapLine(TangentName(swap.A), TangentName(swap.B)));
                    _rebound.UnionWith(new[] { TangentName(swap.A), TangentName(swap.B) });
                }
                break;
            case DeclareLine { Value: PopExpr { Of: string forward } pop } taken:
                // A function's result back from the tape: its tangent, pushed after it when it moved, comes back first.
                if (Vary(taken.Name, _varied.Contains(forward)))
                    output.Add(new DeclareLine(taken.Type, TangentName(taken.Name), pop with { Of = null }));
                output.Add(taken);
                break;
            case DeclareLine declare when declare.Value.Type.IsFloatingPoint() && !declare.Type.EndsWith("[]", StringComparison.Ordinal):
            {
                // The tangent follows the declaration, so a rule that reads the result reads the declared local.
                var (value, tangent) = declare.Value is CallExpr call
                    ? MathCall(output, call, hoist: true, new NameExpr(declare.Name, call.Type))
                    : Differentiate(output, declare.Value, hoist: true);
                output.Add(declare with { Value = value });
                if (Vary(declare.Name, tangent is not null))
                    output.Add(new DeclareLine(declare.Type, TangentName(declare.Name), tangent ?? Zero(declare.Value.Type)));
                break;
            }
            case AssignLine assign when assign.Target.Type.IsFloatingPoint():
                Assign(output, assign);
                break;
            case PushLine push:
                output.Add(push);
                if (push.Value.Type.IsFloatingPoint() && Differentiate(output, push.Value, hoist: false).Tangent is Expr pushed)
                    output.Add(new PushLine(pushed));
                break;
            case IfLine branch:
                output.Add(new IfLine(branch.Condition, Lines(branch.Then).ToEquatableArray(), Lines(branch.Else).ToEquatableArray()));
                break;
            case WhileLine loop:
                output.Add(loop with { Body = Lines(loop.Body).ToEquatableArray() });
                break;
            case CountdownLine countdown:
                output.Add(countdown with { Body = Lines(countdown.Body).ToEquatableArray() });
                break;
            case CallGradientLine call:
                CallGradient(output, call);
                break;
            case ScaleLine scale:
            {
                // t *= s moves as ṫ = s·ṫ + ṡ·t, from the old t.
                var (factor, tangent) = Differentiate(output, scale.Scale, hoist: true);
                if (Vary(scale.Target, tangent is not null))
                {
                    output.Add(new ScaleLine(TangentName(scale.Target), factor));
                    if (tangent is not null)
                        output.Add(new AddScaledLine(TangentName(scale.Target), scale.Target, tangent));
                }
                output.Add(scale with { Scale = factor });
                break;
            }
            case AddScaledLine add:
            {
                // t += s·u moves as ṫ += s·u̇ + ṡ·u.
                var (factor, tangent) = Differentiate(output, add.Scale, hoist: true);
                bool source = _varied.Contains(add.Source);
                if (Vary(add.Target, source || tangent is not null))
                {
                    if (source)
                        output.Add(new AddScaledLine(TangentName(add.Target), TangentName(add.Source), factor));
                    if (tangent is not null)
                        output.Add(new AddScaledLine(TangentName(add.Target), add.Source, tangent));
                }
                output.Add(add with { Scale = factor });
                break;
            }
            case ClearLine clear:
                Mirror(output, clear, clear.Array, tangent => new ClearLine(tangent));
                break;
            case RentLine rent:
                Mirror(output, rent, rent.Name, tangent => rent with { Name = tangent });
                break;
            case ReturnLine returned:
                Mirror(output, returned, returned.Name, tangent => new ReturnLine(tangent));
                break;
            case AllocateLine allocate:
                output.Add(allocate);
                if (_varied.Contains(allocate.Name))
                {
                    output.Add(new RentLine(allocate.Type, TangentName(allocate.Name), new LengthExpr(allocate.Name)));
                    _rented.Add(TangentName(allocate.Name));
                }
                break;
            case CommentLine or BlankLine or DeclareLine or AssignLine or IncrementLine or CheckLengthLine or TapeLine or EffectLine:
                output.Add(line);
                break;
            default:
                throw new InvalidOperationException($"No forward-over-reverse form for {line.GetType().Name}.");
        }
    }

    /// <summary>
    /// A model's lines: its fields bound to locals stay as they are (a field's tangent is its member of the direction), and
    /// each check of a field's gradient is followed by the same checks of its direction and product.
    /// </summary>
    private bool ModelLine(List<CodeLine> output, CodeLine line)
    {
        switch (line)
        {
            case DeclareLine { Value: MemberExpr } bound when _function.Fields.Any(f => f.Name == bound.Name):
                output.Add(line);
                return true;
            case RequireShapeLine { Field: not null } require:
                output.Add(require with { Method = _function.Name + Naming.GradientHessianVectorSuffix });
                output.Add(require with { Gradient = _fixedNames[require.Parameter], Method = _function.Name + Naming.GradientHessianVectorSuffix });
                output.Add(require with { Gradient = _fixedNames[require.Gradient], Method = _function.Name + Naming.GradientHessianVectorSuffix });
                return true;
            case CheckLengthLine check when _function.Fields.Any(f => f.Name == check.Array && f.Role != ParameterRole.Passive):
                output.Add(check);
                output.Add(check with { Gradient = _fixedNames[check.Array] });
                output.Add(check with { Gradient = _fixedNames[check.Gradient] });
                return true;
            default:
                return false;
        }
    }

    /// <summary>
    /// An array name given another array (<c>a = b</c>, <c>double[] t = a</c>, <c>a = null</c>) or the one it referred to
    /// before (<c>a = tape.PopArray()</c>): its tangent follows (popped first, as it was pushed after). Names that may
    /// share an array move together, so both have tangents or neither.
    /// </summary>
    private void Rebind(List<CodeLine> output, CodeLine line, string name, Expr value)
    {
        _rebound.Add(name);
        bool varied = value switch
        {
            NameExpr source => Vary(name, _varied.Contains(source.Name)) | Vary(source.Name, _varied.Contains(name)),
            _ => _varied.Contains(name),
        };
        if (value is NameExpr from)
            _rebound.Add(from.Name);
        if (!varied)
        {
            output.Add(line);
            return;
        }
        string tangent = TangentName(name);
        _rebound.Add(tangent);
        Expr tangentValue = value switch
        {
            NameExpr source => source with { Name = TangentName(source.Name) },
            _ => value,
        };
        if (value is NameExpr source2)
            _rebound.Add(TangentName(source2.Name));
        CodeLine tangentLine = line is DeclareLine declare ? declare with { Name = tangent, Value = tangentValue } : new AssignLine(new NameExpr(tangent, value.Type), tangentValue, false);
        bool pops = value is PopExpr;
        output.Add(pops ? tangentLine : line);
        output.Add(pops ? line : tangentLine);
    }

    /// <summary>A line on an array, then the same line on its tangent when it has one.</summary>
    private void Mirror(List<CodeLine> output, CodeLine line, string array, Func<string, CodeLine> onTangent)
    {
        output.Add(line);
        if (_varied.Contains(array))
            output.Add(onTangent(TangentName(array)));
    }

    /// <summary>
    /// A write and its tangent. The tangent goes first when it reads the value the write replaces (it
    /// must see the old value) or pops (the tangent was pushed after its value).
    /// </summary>
    private void Assign(List<CodeLine> output, AssignLine assign)
    {
        string name = assign.Target switch
        {
            NameExpr target => target.Name,
            ElementExpr element => element.Array,
            _ => throw new InvalidOperationException($"Cannot assign to {assign.Target.GetType().Name}."),
        };
        bool pops = assign.Value is PopExpr;
        Expr value = assign.Value;
        Expr? tangent = null;
        if (pops)
            tangent = _varied.Contains(name) ? assign.Value : null;
        else
            (value, tangent) = Differentiate(output, assign.Value, hoist: true);
        var write = assign with { Value = value };
        if (!Vary(name, tangent is not null) || (tangent is null && assign.Accumulate))
        {
            output.Add(write);
            return;
        }
        Expr tangentTarget = assign.Target is ElementExpr stored ? stored with { Array = TangentName(name) } : new NameExpr(TangentName(name), assign.Target.Type);
        var tangentWrite = new AssignLine(tangentTarget, tangent ?? Zero(assign.Target.Type), assign.Accumulate);
        bool first = pops || StatementCode.Reads(tangentWrite.Value, name);
        output.Add(first ? tangentWrite : write);
        output.Add(first ? write : tangentWrite);
    }

    /// <summary>A gradient call becomes a call of the callee's product, when a differentiable argument moves.</summary>
    private void CallGradient(List<CodeLine> output, CallGradientLine call)
    {
        var differentiable = Enumerable.Range(0, call.Arguments.Count).Where(i => call.Outputs[i].Length > 0).ToList();
        bool moves = differentiable.Any(i => call.Buffers[i] ? _varied.Contains(((NameExpr)call.Arguments[i]).Name) : Differentiate(output, call.Arguments[i], hoist: false).Tangent is not null);
        foreach (int i in differentiable)
            Vary(call.Outputs[i], moves);
        if (!moves)
        {
            output.Add(call);
            return;
        }
        var zeros = new List<string>();
        var directions = differentiable.Select(i => Direction(output, zeros, call.Arguments[i], call.Buffers[i])).ToList();
        var products = call.Outputs.Select(o => o.Length == 0 ? "" : TangentName(o));
        output.Add(new CallGradientLine(call.Method, call.Arguments.Concat(directions).ToEquatableArray(),
            call.Outputs.Concat(products).ToEquatableArray(), call.Buffers.Concat(call.Buffers).ToEquatableArray(), Naming.GradientHessianVectorSuffix));
        output.AddRange(zeros.Select(name => new ReturnLine(name)));
    }

    /// <summary>An argument's direction for a callee's derivative: its tangent, zero, or a zero buffer of an array's length, rented for that call alone (it may sit in a loop).</summary>
    private Expr Direction(List<CodeLine> output, List<string> zeros, Expr argument, bool isArray)
    {
        if (!isArray)
            return Differentiate(output, argument, hoist: false).Tangent ?? Zero(argument.Type);
        string array = ((NameExpr)argument).Name;
        if (_varied.Contains(array))
            return new NameExpr(TangentName(array), argument.Type);
        string name = _names.Allocate(Naming.Tangent(array));
        output.Add(new RentLine(argument.Type, name, new LengthExpr(array)));
        zeros.Add(name);
        return new NameExpr(name, argument.Type);
    }
}
