using PersistentTaskStatus.TestServer.Wire;

namespace PersistentTaskStatus.TestServer.Commands;

/// <summary>What the command layer knows of the connection a command came on.</summary>
internal sealed class ConnectionContext(int id, ConnectionHandler? handler)
{
    public int Id { get; } = id;

    /// <summary>The <c>appName</c> the client sent in its handshake, for fail points that filter on it.</summary>
    public string? AppName { get; set; }

    public ConnectionHandler? Handler { get; } = handler;
}
