namespace Backprop.Runtime.Tests;

/// <summary>The length and shape checks generated methods call before they write a caller's buffers.</summary>
public class GradientBufferChecksTests
{
    [Fact]
    public void BufferOfTheParametersLengthPasses()
    {
        GradientBuffers.RequireLength(4, 4, "dw", "w");
        GradientBuffers.RequireResultLength(3, 3, "dresult");
        GradientBuffers.RequireShape(2, 5, 2, 5, "The Jacobian of F", "jacobian");
    }

    [Fact]
    public void BufferOfAnotherLengthNamesTheBufferTheParameterAndBothLengths()
    {
        var error = Assert.Throws<ArgumentException>(() => GradientBuffers.RequireLength(3, 4, "dw", "w"));
        Assert.Equal("dw", error.ParamName);
        Assert.StartsWith("The buffer 'dw' for 'w' has length 3, but 'w' has length 4.", error.Message);
    }

    [Fact]
    public void ResultBufferOfAnotherLengthNamesTheBufferAndBothLengths()
    {
        var error = Assert.Throws<ArgumentException>(() => GradientBuffers.RequireResultLength(2, 5, "dresult"));
        Assert.Equal("dresult", error.ParamName);
        Assert.StartsWith("The buffer 'dresult' for the result has length 2, but the result has length 5.", error.Message);
    }

    [Theory]
    [InlineData(3, 4)]
    [InlineData(4, 3)]
    public void ArrayOfAnotherShapeNamesWhatItIsForAndBothShapes(int rows, int columns)
    {
        var error = Assert.Throws<ArgumentException>(() => GradientBuffers.RequireShape(rows, columns, 4, 4, "The Hessian of F", "hessian"));
        Assert.Equal("hessian", error.ParamName);
        Assert.StartsWith($"The Hessian of F is 4×4, but the array given is {rows}×{columns}.", error.Message);
    }
}
