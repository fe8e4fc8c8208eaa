using CsCheck;
using Sigs.Host.Loading;
using Sigs.Plugins;

namespace Sigs.Host.Tests.Loading;

/// <summary>Selectors that would select nothing are refused at load, each value named with the fix.</summary>
public class SelectorCheckTests
{
    [Fact]
    public void EveryContractNameSourceAndOrigin_AndAny_AreAccepted()
    {
        string[] names = [EventNames.FileOpen, EventNames.FileRename, EventNames.ProcessExec, EventNames.ProcessExit, EventNames.KubernetesAudit, EventSelector.Any];
        string[] sources = [EventSources.Tracee, EventSources.Falco, EventSources.KubernetesAudit, EventSources.Tetragon, EventSources.Native, EventSources.Sigs, EventSelector.Any];
        string[] origins = [EventOrigins.Host, EventOrigins.Container, EventSelector.Any];

        EventSelector[] all = [.. from n in names from s in sources from o in origins select new EventSelector(n, s, o)];

        Assert.Empty(SelectorCheck.Problems(all));
    }

    [Theory]
    [InlineData(EventSources.Tracee)]
    [InlineData(EventSelector.Any)]
    public void OneOfTracees_OtherEvents_IsAccepted_FromTraceeOrAnySource(string source)
    {
        Assert.Empty(SelectorCheck.Problems([new EventSelector("ptrace", source), new EventSelector("security_bprm_check", source)]));
    }

    [Theory]
    [InlineData(EventSources.Sigs)]
    [InlineData("my-sensor")]
    public void AnyName_IsAccepted_FromSourcesThatContractLinesCarry(string source)
    {
        Assert.Empty(SelectorCheck.Problems([new EventSelector("my_own_event", source)]));
    }

    [Theory]
    [InlineData(EventSelector.Any)]
    [InlineData(EventSources.Tracee)]
    public void AnEventNoFeedGives_IsRefused(string source)
    {
        string problem = Assert.Single(SelectorCheck.Problems([new EventSelector("made_up_event", source)]));

        Assert.Equal("selector 0 names event 'made_up_event', which is neither a contract event (security_file_open, security_inode_rename, sched_process_exec, sched_process_exit, k8s_audit) nor one of Tracee's (use EventNames)", problem);
    }

    [Fact]
    public void AnEventBeyondTheContract_FromAFeedThatGivesOnlyTheContracts_IsRefusedWithTheFix()
    {
        string problem = Assert.Single(SelectorCheck.Problems([new EventSelector("ptrace", EventSources.Falco)]));

        Assert.Equal("selector 0 names event 'ptrace', which is not a contract event (security_file_open, security_inode_rename, sched_process_exec, sched_process_exit, k8s_audit), and falco gives no other (use EventNames)", problem);
    }

    [Fact]
    public void OneTypoInAnyKnownValue_IsRefused_AndTheValueSuggested()
    {
        string[] known = [EventNames.FileOpen, EventNames.ProcessExec, EventNames.KubernetesAudit];
        Gen.Select(Gen.Int[0, known.Length - 1], Gen.Int[0, 30], Gen.Char['a', 'z']).Sample((which, at, letter) =>
        {
            string name = known[which];
            int position = at % name.Length;
            string typo = name[..position] + letter + name[(position + 1)..];
            if (typo == name)
            {
                return;
            }

            string problem = Assert.Single(SelectorCheck.Problems([new EventSelector(typo)]));
            Assert.Contains($"'{typo}'", problem, StringComparison.Ordinal);
            Assert.Contains($"did you mean '{name}'?", problem, StringComparison.Ordinal);
        });
    }

    [Fact]
    public void ANull_IsRefused_NotAnError()
    {
        Assert.Equal(2, SelectorCheck.Problems([new EventSelector(EventNames.FileOpen, null!, null!)]).Count());
    }

    [Fact]
    public void ANearMissOfASource_IsRefused()
    {
        Assert.Contains("did you mean 'tracee'?", Assert.Single(SelectorCheck.Problems([new EventSelector(EventNames.FileOpen, "tracy")])), StringComparison.Ordinal);
    }
}
