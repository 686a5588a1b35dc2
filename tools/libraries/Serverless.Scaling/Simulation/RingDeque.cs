namespace Serverless.Scaling.Simulation;

/// <summary>A growable ring buffer with both ends: FIFO work cohorts and pods ordered by ready time.</summary>
internal sealed class RingDeque<T>
    where T : struct
{
    private T[] items = new T[16];
    private int head;

    public int Count { get; private set; }

    public ref T Front => ref items[head];

    public ref T Back => ref items[(head + Count - 1) % items.Length];

    public void PushBack(T item)
    {
        Grow();
        items[(head + Count) % items.Length] = item;
        Count++;
    }

    public void PushFront(T item)
    {
        Grow();
        head = (head - 1 + items.Length) % items.Length;
        items[head] = item;
        Count++;
    }

    public T PopFront()
    {
        var item = items[head];
        head = (head + 1) % items.Length;
        Count--;
        return item;
    }

    public T PopBack()
    {
        Count--;
        return items[(head + Count) % items.Length];
    }

    private void Grow()
    {
        if (Count < items.Length)
        {
            return;
        }

        var bigger = new T[items.Length * 2];
        for (var i = 0; i < Count; i++)
        {
            bigger[i] = items[(head + i) % items.Length];
        }

        items = bigger;
        head = 0;
    }
}
