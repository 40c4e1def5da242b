#if !NET9_0_OR_GREATER
namespace System.Threading;

/// <summary>
/// <c>System.Threading.Lock</c> for .NET 8, where it does not exist yet: the members the <c>lock</c> statement uses,
/// on the monitor of a private object.
/// </summary>
internal sealed class Lock
{
    private readonly object monitor = new();

    public Scope EnterScope()
    {
        Monitor.Enter(monitor);
        return new Scope(monitor);
    }

    public readonly ref struct Scope(object monitor)
    {
        public void Dispose() => Monitor.Exit(monitor);
    }
}
#endif
