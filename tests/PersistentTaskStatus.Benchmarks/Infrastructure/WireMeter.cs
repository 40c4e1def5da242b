using MongoDB.Bson;
using MongoDB.Driver.Core.Events;

namespace PersistentTaskStatus.Benchmarks.Infrastructure;

/// <summary>
/// Counts the bytes of the commands and replies of the metered client, from the driver's command events. A command's
/// size is its BSON document as the event carries it (the OP_MSG body with any document sequences folded in, plus
/// <c>$db</c>, <c>lsid</c>, <c>txnNumber</c> and <c>$clusterTime</c> as sent) plus <see cref="OpMsgFraming"/>, the
/// 16-byte message header, the 4-byte flag bits and the 1-byte section kind that travel around it; no compression.
/// </summary>
internal sealed class WireMeter
{
    /// <summary>The bytes of an OP_MSG around its body: header (16), flag bits (4), section kind (1).</summary>
    public const int OpMsgFraming = 21;

    private long requestBytes;
    private long replyBytes;
    private long commands;
    private volatile bool running;

    public void Start()
    {
        Interlocked.Exchange(ref requestBytes, 0);
        Interlocked.Exchange(ref replyBytes, 0);
        Interlocked.Exchange(ref commands, 0);
        running = true;
    }

    /// <summary>Stops counting; returns the bytes per operation.</summary>
    public WireSample Stop(int operations)
    {
        running = false;
        return new WireSample(
            Interlocked.Read(ref requestBytes) / (double)operations,
            Interlocked.Read(ref replyBytes) / (double)operations,
            Interlocked.Read(ref commands) / (double)operations);
    }

    public void OnStarted(CommandStartedEvent e)
    {
        if (running && Counts(e.CommandName))
        {
            Interlocked.Add(ref requestBytes, e.Command.ToBson().Length + OpMsgFraming);
            Interlocked.Increment(ref commands);
        }
    }

    public void OnSucceeded(CommandSucceededEvent e)
    {
        if (running && Counts(e.CommandName))
        {
            Interlocked.Add(ref replyBytes, e.Reply.ToBson().Length + OpMsgFraming);
        }
    }

    // Connection handshakes and session clean-up are not the operation's.
    private static bool Counts(string commandName) =>
        commandName is not ("hello" or "isMaster" or "ismaster" or "buildInfo" or "endSessions" or "saslStart" or "saslContinue");
}

/// <summary>Bytes per operation: sent, received, and how many commands an operation takes.</summary>
internal readonly record struct WireSample(double RequestBytes, double ReplyBytes, double Commands);
