using Sigs.Host.Feeds;

namespace Sigs.Host.Tests.Feeds;

public class OpenFlagsTextTests
{
    [Theory]
    [InlineData("O_RDONLY", 0)]
    [InlineData("O_WRONLY|O_CREAT|O_TRUNC", 0x241)]
    [InlineData("O_RDWR|O_LARGEFILE|O_CLOEXEC", 0x88002)]
    [InlineData(" O_RDONLY | O_NOFOLLOW ", 0x20000)]
    [InlineData("O_RDONLY|O_SOMETHING_NEW", 0)]
    [InlineData("524290", 524290)]
    [InlineData("524288(O_RDONLY|O_CLOEXEC)", 524288)]
    public void TryParse_KnownForms_GiveTheLinuxInteger(string text, int expected)
    {
        Assert.Equal(expected, OpenFlagsText.TryParse(text));
    }

    [Theory]
    [InlineData("O_CLOEXEC")]
    [InlineData("")]
    [InlineData("garbage")]
    public void TryParse_NoAccessMode_IsUnknown(string text)
    {
        Assert.Null(OpenFlagsText.TryParse(text));
    }
}
