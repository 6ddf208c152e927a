namespace Stox.Hosting.Dashboard.Telemetry;

/// <summary>
/// A fixed-size buffer that overwrites its oldest items: at most <see cref="Capacity"/> items and, when a byte
/// budget is given, at most that many (estimated) bytes. Memory stays bounded however long the AppHost runs.
/// </summary>
public sealed class RingBuffer<T>
{
    private readonly T[] _items;
    private readonly long[] _sizes;
    private readonly long _maxBytes;
    private readonly Lock _lock = new();
    private int _next;
    private int _count;
    private long _bytes;
    private long _added;

    public RingBuffer(int capacity, long maxBytes = long.MaxValue)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(capacity, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBytes, 1);
        _items = new T[capacity];
        _sizes = new long[capacity];
        _maxBytes = maxBytes;
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

    /// <summary>The estimated size of what is kept.</summary>
    public long Bytes
    {
        get
        {
            lock (_lock)
            {
                return _bytes;
            }
        }
    }

    /// <summary>Every item ever added, including those overwritten since.</summary>
    public long TotalAdded => Interlocked.Read(ref _added);

    public void Add(T item, long size = 0)
    {
        lock (_lock)
        {
            if (_count == _items.Length)
            {
                DropOldest();
            }

            while (_count > 0 && _bytes + size > _maxBytes)
            {
                DropOldest();
            }

            _items[_next] = item;
            _sizes[_next] = size;
            _bytes += size;
            _next = (_next + 1) % _items.Length;
            _count++;
            _added++;
        }
    }

    private void DropOldest()
    {
        var oldest = (_next - _count + _items.Length) % _items.Length;
        _bytes -= _sizes[oldest];
        _items[oldest] = default!;
        _sizes[oldest] = 0;
        _count--;
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
