using Serverless.Scaling.Rendering;
using YamlDotNet.RepresentationModel;

namespace Serverless.Scaling.Tests.Rendering;

/// <summary>A rendered scalar reads back as the same string, whatever it ends with.</summary>
public sealed class YamlWriterTests
{
    [Theory]
    [InlineData("payments-worker")]
    [InlineData("payments-worker\n")]
    [InlineData("payments-worker\r\n")]
    [InlineData("yes\n")]
    [InlineData("\nprod")]
    [InlineData("true")]
    public void Scalar_ReadsBackUnchanged(string value)
    {
        var yaml = new YamlStream();
        yaml.Load(new StringReader($"key: {YamlWriter.Scalar(value)}\n"));

        var read = (YamlScalarNode)((YamlMappingNode)yaml.Documents[0].RootNode).Children[new YamlScalarNode("key")];
        Assert.Equal(value, read.Value);
    }
}
