using System.Collections.Generic;
using System.Linq;
using Backprop.Generator.Calculus;
using Backprop.Generator.Model;

namespace Backprop.Generator.Differentiation;

/// <summary>A derivative method's body, ready to print, and the value it returns.</summary>
internal sealed record MethodBody(EquatableArray<CodeLine> Body, Expr Result);

internal abstract record CodeLine
{
    /// <summary>Every line of <paramref name="lines"/>, those inside branches and loops included, in order (a block's line before its body).</summary>
    /// <remarks>One enumerator per open block on an explicit stack (nested iterators would cost n² for blocks nested n deep).</remarks>
    public static IEnumerable<CodeLine> All(IEnumerable<CodeLine> lines)
    {
        var open = new Stack<IEnumerator<CodeLine>>();
        open.Push(lines.GetEnumerator());
        while (open.Count > 0)
        {
            IEnumerator<CodeLine> top = open.Peek();
            if (!top.MoveNext())
            {
                open.Pop().Dispose();
                continue;
            }
            CodeLine line = top.Current;
            yield return line;
            switch (line)
            {
                case IfLine branch:
                    open.Push(branch.Else.GetEnumerator());
                    open.Push(branch.Then.GetEnumerator());
                    break;
                case WhileLine loop:
                    open.Push(loop.Body.GetEnumerator());
                    break;
                case CountdownLine countdown:
                    open.Push(countdown.Body.GetEnumerator());
                    break;
            }
        }
    }
}

/// <summary><c>// Text</c></summary>
internal sealed record CommentLine(string Text) : CodeLine;

/// <summary>An empty line between sections.</summary>
internal sealed record BlankLine : CodeLine;

/// <summary><c>{Type} {Name} = {Value};</c></summary>
internal sealed record DeclareLine(string Type, string Name, Expr Value) : CodeLine;

/// <summary><c>{Target} = {Value};</c>, or <c>+=</c> when <see cref="Accumulate"/>.</summary>
internal sealed record AssignLine(Expr Target, Expr Value, bool Accumulate) : CodeLine;

/// <summary><c>{Code};</c>: a statement kept for its effect (see <see cref="EffectStatement"/>), reading <see cref="Reads"/>.</summary>
internal sealed record EffectLine(string Code, EquatableArray<string> Reads) : CodeLine;

/// <summary><c>(A, B) = (B, A);</c>: two arrays (references) trade names.</summary>
internal sealed record SwapLine(string A, string B) : CodeLine;

/// <summary><c>tape.Push(Value);</c></summary>
internal sealed record PushLine(Expr Value) : CodeLine;

/// <summary><c>Name++;</c></summary>
internal sealed record IncrementLine(string Name) : CodeLine;

internal sealed record IfLine(Expr Condition, EquatableArray<CodeLine> Then, EquatableArray<CodeLine> Else) : CodeLine;

/// <summary><c>while (Condition) { Body }</c>, or a do-while when not <see cref="TestsFirst"/>.</summary>
internal sealed record WhileLine(Expr Condition, EquatableArray<CodeLine> Body, bool TestsFirst) : CodeLine;

/// <summary><c>for (int Counter = Count; Counter &gt; 0; Counter--) { Body }</c>: a loop's iterations, replayed last first.</summary>
internal sealed record CountdownLine(string Counter, Expr Count, EquatableArray<CodeLine> Body) : CodeLine;

/// <summary>
/// <c>_ = {Method}{Suffix}(Arguments, out var o1, …);</c>: one output per differentiable parameter (an empty
/// name for the others); an array parameter's output is a buffer passed in rather than an <c>out</c>. The
/// suffix is <c>Gradient</c>, or <c>GradientHessianVector</c> in a Hessian-vector product. A <see cref="Pullback"/>
/// is a user's void <c>[DerivativeOf]</c> method, called as it is named (<c>{Method}(Arguments, out var o1, …);</c>).
/// </summary>
/// <param name="PullbackTangent">For the pullback of an operation on matrices, the pullback's own <c>[TangentOf]</c> rule, which second derivatives call beside it.</param>
internal sealed record CallGradientLine(string Method, EquatableArray<Expr> Arguments, EquatableArray<string> Outputs, EquatableArray<bool> Buffers, string Suffix = Naming.GradientSuffix, bool Pullback = false,
    string? PullbackTangent = null) : CodeLine
{
    /// <summary>
    /// The call to a scalar function's pullback <paramref name="pullback"/>: the function's <paramref name="arguments"/>,
    /// its <paramref name="result"/> and the result's gradient <paramref name="seed"/> (1 for the partials), then one
    /// <c>out</c> per differentiable parameter (an empty name for the others, <c>_</c> to discard one), or for a matrix
    /// (<paramref name="buffers"/>) the buffer its gradient is written into (<c>null</c> when not wanted).
    /// </summary>
    public static CallGradientLine ForPullback(string pullback, IEnumerable<Expr> arguments, Expr result, Expr seed, EquatableArray<string> outputs, EquatableArray<bool> buffers,
        string? pullbackTangent = null) =>
        new(pullback, arguments.Concat(new[] { result, seed }).ToEquatableArray(), outputs, buffers, "", true, pullbackTangent);
}

/// <summary><c>var {Derivative} = {Method}Tangent(Arguments).Derivative;</c>, or <c>var ({Value}, {Derivative}) = …;</c> when the value is wanted too.</summary>
internal sealed record CallTangentLine(string Method, EquatableArray<Expr> Arguments, string Derivative, string? Value = null) : CodeLine;

/// <summary><c>Target *= Scale</c>, elementwise.</summary>
internal sealed record ScaleLine(string Target, Expr Scale) : CodeLine;

/// <summary><c>Target += Scale · Source</c>, elementwise.</summary>
internal sealed record AddScaledLine(string Target, string Source, Expr Scale) : CodeLine;

/// <summary>Throws <c>ArgumentException</c> unless gradient buffer <see cref="Gradient"/> has the length of array parameter <see cref="Array"/>.</summary>
internal sealed record CheckLengthLine(string Array, string Gradient) : CodeLine;

/// <summary>Throws <c>ArgumentException</c> unless <see cref="Buffer"/>, the tangent or cotangent of the array result <see cref="Result"/>, has its length.</summary>
internal sealed record CheckResultLengthLine(string Result, string Buffer) : CodeLine;

/// <summary><c>Source.CopyTo(Destination)</c>, arrays of the same length.</summary>
internal sealed record CopyLine(string Source, string Destination) : CodeLine;

/// <summary><c>System.Array.Clear(Array);</c></summary>
internal sealed record ClearLine(string Array) : CodeLine;

/// <summary><c>{Type}[] {Name} = new {Type}[Length];</c>, or <c>Span&lt;{Type}&gt; {Name} = stackalloc {Type}[Length];</c> when <see cref="OnStack"/>.</summary>
internal sealed record AllocateLine(ScalarType Type, string Name, Expr Length, bool OnStack = false) : CodeLine;

/// <summary>A zeroed scratch array of exactly <see cref="Length"/> elements, from a per-thread pool, declared (or, not <see cref="Declares"/>, assigned).</summary>
internal sealed record RentLine(ScalarType Type, string Name, Expr Length, bool Declares = true) : CodeLine;

/// <summary>Gives a scratch array back to its pool.</summary>
internal sealed record ReturnLine(string Name) : CodeLine;

/// <summary><c>var tape = Tape.Rent();</c> or, when not <see cref="Rent"/>, <c>Tape.Return(tape);</c></summary>
internal sealed record TapeLine(bool Rent) : CodeLine;

/// <summary>
/// An operation writing its matrix result into <see cref="Destination"/> through its destination form,
/// <c>Call.Into(…)</c>: <see cref="Arguments"/> are the operation's own, in its order.
/// </summary>
internal sealed record OperationLine(string Destination, EquatableArray<Expr> Arguments, CallTarget Call) : CodeLine;

/// <summary>Adds a share a pullback wrote into the matrix gradient <see cref="Gradient"/>, unless it was the gradient itself.</summary>
internal sealed record CollectLine(Expr Gradient, string Share) : CodeLine;

/// <summary>
/// <c>to = from</c> passes the gradient of <c>to</c>, <see cref="Share"/>, on to matrix <c>from</c>, whose gradient is
/// <see cref="Gradient"/>: a local's, or the caller's buffer for a parameter, with its <see cref="Written"/> flag.
/// </summary>
internal sealed record PassLine(string Gradient, string? Written, Expr Share) : CodeLine;

/// <summary>A matrix parameter's gradient buffer, zeroed when no share reached it.</summary>
internal sealed record FinishLine(string Written, string Gradient) : CodeLine;

/// <summary>
/// Throws <c>ArgumentException</c> unless the gradient buffer (or array of them) <see cref="Gradient"/> has the shape of
/// matrix parameter <see cref="Parameter"/>; for a model's field, <see cref="Field"/> is the field as C# reads it from the model.
/// </summary>
internal sealed record RequireShapeLine(string Parameter, string Gradient, string Method, string? Field = null) : CodeLine;

/// <summary>Zeroes every matrix of an array of gradient buffers, which reads of the array's matrices then add into.</summary>
internal sealed record ClearMatricesLine(string Gradients) : CodeLine;

/// <summary><c>Source.CopyTo(Destination)</c>, matrices of the same shape.</summary>
internal sealed record CopyMatrixLine(string Source, string Destination) : CodeLine;

/// <summary>Takes the matrix arena from this thread's pool or, when not <see cref="Rent"/>, gives it back.</summary>
internal sealed record ArenaLine(bool Rent, ScalarType Element) : CodeLine;

/// <summary>Writes a matrix derivative that may be null (zero) into the caller's buffer <see cref="Destination"/>.</summary>
internal sealed record WriteIntoLine(string Derivative, string Destination) : CodeLine;

/// <summary>
/// A train step's start: its model's gradients (<see cref="GradientsType"/>), taken from the optimizer once it is known to
/// have been built over this model; the train step <see cref="Method"/> names itself in the message when not.
/// </summary>
internal sealed record OptimizerGradientsLine(string GradientsType, ScalarType Element, string Method) : CodeLine;

/// <summary><c>optimizer.BeginStep();</c>: counts the step and fixes its learning rate before the first update.</summary>
internal sealed record BeginStepLine : CodeLine;

/// <summary>
/// The optimizer's update of the model's parameter <see cref="Field"/>, whose gradient is complete: it is the parameter at
/// <see cref="Position"/> in the model's walk, after the matrices of the stacks <see cref="StacksBefore"/>, which count one each.
/// </summary>
internal sealed record UpdateLine(ParameterSpec Field, int Position, EquatableArray<string> StacksBefore) : CodeLine;

