using Sigs.Host.Enrichment;
using Sigs.Host.Feeds.Native;

namespace Sigs.Host.Tests.Feeds.Native;

public class CgroupPathsTests
{
    private const string Id = "3f2a9c8e1b7d4e6f8a0b1c2d3e4f5a6b7c8d9e0f1a2b3c4d5e6f7a8b9c0d1e2f";

    [Theory]
    [InlineData($"0::/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod5b0e6a52_1f1e_4c1b_9d0a_0d4f6a1c2b3e.slice/cri-containerd-{Id}.scope", Id, "5b0e6a52-1f1e-4c1b-9d0a-0d4f6a1c2b3e")]
    [InlineData($"12:pids:/kubepods/burstable/pod5b0e6a52-1f1e-4c1b-9d0a-0d4f6a1c2b3e/{Id}", Id, "5b0e6a52-1f1e-4c1b-9d0a-0d4f6a1c2b3e")]
    [InlineData($"0::/kubepods.slice/kubepods-pod5b0e6a52_1f1e_4c1b_9d0a_0d4f6a1c2b3e.slice/crio-{Id}.scope", Id, "5b0e6a52-1f1e-4c1b-9d0a-0d4f6a1c2b3e")]
    [InlineData($"0::/system.slice/docker-{Id}.scope", Id, null)]
    [InlineData($"4:memory:/docker/{Id}", Id, null)]
    [InlineData("0::/user.slice/user-0.slice/session-1.scope", null, null)]
    [InlineData("0::/system.slice/containerd.service", null, null)]
    public void Parse_RuntimePathForms_GiveContainerAndPod(string line, string? container, string? pod)
    {
        Assert.Equal((container, pod), CgroupPaths.Parse([line]));
    }

    [Fact]
    public void ParseStat_CommWithSpacesAndParentheses_IsSkippedCorrectly()
    {
        string stat = "4242 (my (odd) comm) S 4000 4242 4000 34816 4242 4194304 1 0 0 0 0 0 0 0 20 0 1 0 987654 1 1";

        Assert.Equal((4000, 34816, 987654UL), ProcFacts.ParseStat(stat));
    }
}
