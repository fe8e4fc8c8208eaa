namespace Sigs.Host.Engine;

/// <summary>A fixed ring of recent timings; percentiles are computed on demand from a copy.</summary>
internal sealed class LatencySamples(int capacity)
{
    private readonly double[] _microseconds = new double[capacity];
    private readonly Lock _gate = new();
    private int _count;
    private int _next;

    public void Add(TimeSpan elapsed)
    {
        lock (_gate)
        {
            _microseconds[_next] = elapsed.TotalMicroseconds;
            _next = (_next + 1) % _microseconds.Length;
            _count = Math.Min(_count + 1, _microseconds.Length);
        }
    }

    public (double P50, double P99)? Percentiles()
    {
        double[] copy;
        lock (_gate)
        {
            if (_count == 0)
            {
                return null;
            }

            copy = _microseconds[.._count];
        }

        Array.Sort(copy);
        return (copy[(int)(0.50 * (copy.Length - 1))], copy[(int)(0.99 * (copy.Length - 1))]);
    }
}
