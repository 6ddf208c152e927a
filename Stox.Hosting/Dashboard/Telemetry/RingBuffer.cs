namespace Stox.Hosting.Dashboard.Telemetry;

/// <summary>A fixed-size buffer that overwrites its oldest item: memory stays bounded however long the AppHost runs.</summary>
public sealed class RingBuffer<T>
{
    private readonly T[] _items;
    private readonly Lock _lock = new();
    private int _next;
    private int _count;
    private long _added;

    public RingBuffer(int capacity)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        _items = new T[capacity];
    }

    public int Capacity => _items.Length;

    public int Count
    {
        get
        {
            lock (_lock)
            {
                return _count;
            }
        }
    }

    /// <summary>Every item ever added, including those overwritten since.</summary>
    public long TotalAdded => Interlocked.Read(ref _added);

    public void Add(T item)
    {
        lock (_lock)
        {
            _items[_next] = item;
            _next = (_next + 1) % _items.Length;
            _count = Math.Min(_count + 1, _items.Length);
            _added++;
        }
    }

    /// <summary>The items, oldest first.</summary>
    public List<T> ToList()
    {
        lock (_lock)
        {
            var result = new List<T>(_count);
            var start = (_next - _count + _items.Length) % _items.Length;
            for (var i = 0; i < _count; i++)
            {
                result.Add(_items[(start + i) % _items.Length]);
            }

            return result;
        }
    }

    public T? LastOrDefault()
    {
        lock (_lock)
        {
            return _count == 0 ? default : _items[(_next - 1 + _items.Length) % _items.Length];
        }
    }
}
