using System.Buffers.Binary;
using System.Net.Sockets;
using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;
using PersistentTaskStatus.TestServer.Commands;

namespace PersistentTaskStatus.TestServer.Wire;

/// <summary>
/// One client connection: reads framed messages (the legacy OP_QUERY handshake and OP_MSG), hands each command to
/// the command layer and writes its reply.
/// </summary>
internal sealed class ConnectionHandler
{
    private const int HeaderLength = 16;
    private const int MaxMessageLength = 48_000_000;
    private static int nextConnectionId;
    private static int nextResponseId;

    private readonly TcpClient client;
    private readonly ServerState server;
    private readonly NetworkStream stream;
    private int closed;

    public ConnectionHandler(TcpClient client, ServerState server)
    {
        this.client = client;
        this.server = server;
        stream = client.GetStream();
        Context = new ConnectionContext(Interlocked.Increment(ref nextConnectionId), this);
    }

    public ConnectionContext Context { get; }

    public void Close()
    {
        // The server's shutdown and the connection's own end may both close it.
        if (Interlocked.Exchange(ref closed, 1) == 1)
        {
            return;
        }

        try
        {
            client.Client.Shutdown(SocketShutdown.Both);
        }
        catch (SocketException)
        {
        }
        catch (ObjectDisposedException)
        {
        }

        client.Dispose();
    }

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var header = new byte[HeaderLength];
        var first = true;
        try
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                if (!await ReadExactlyAsync(header, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                var length = BinaryPrimitives.ReadInt32LittleEndian(header);
                var requestId = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(4));
                var responseTo = BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(8));
                var opCode = (OpCode)BinaryPrimitives.ReadInt32LittleEndian(header.AsSpan(12));
                if (length < HeaderLength || length > MaxMessageLength)
                {
                    return;
                }

                // A client's first message answers nothing (responseTo 0 or -1); anything else is a TLS ClientHello,
                // which MongoDB without TLS ends at once ("SSL handshake received but server is started without SSL
                // support", the transport layer's session) instead of waiting for a message that never comes.
                if (first && responseTo is not (0 or -1))
                {
                    return;
                }

                first = false;

                var body = new byte[length - HeaderLength];
                if (!await ReadExactlyAsync(body, cancellationToken).ConfigureAwait(false))
                {
                    return;
                }

                var keepOpen = opCode switch
                {
                    OpCode.Query => await HandleQueryAsync(requestId, body, cancellationToken).ConfigureAwait(false),
                    OpCode.Msg => await HandleMessageAsync(requestId, body, cancellationToken).ConfigureAwait(false),
                    // Compression is never offered in hello, so a client never sends OP_COMPRESSED; anything else is
                    // a legacy opcode that MongoDB 6.0+ no longer accepts either: close, as MongoDB does.
                    _ => false,
                };
                if (!keepOpen)
                {
                    return;
                }
            }
        }
        catch (Exception ex) when (ex is IOException or SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
        finally
        {
            server.ConnectionClosed(Context);
            Close();
        }
    }

    private async Task<bool> HandleQueryAsync(int requestId, byte[] body, CancellationToken cancellationToken)
    {
        // OP_QUERY: flags, fullCollectionName (cstring), numberToSkip, numberToReturn, query document.
        var position = 4;
        var nameEnd = Array.IndexOf(body, (byte)0, position);
        var collection = System.Text.Encoding.UTF8.GetString(body, position, nameEnd - position);
        position = nameEnd + 1 + 8;
        var query = ReadDocument(body, ref position);
        BsonDocument reply;
        if (!collection.EndsWith(".$cmd", StringComparison.Ordinal))
        {
            reply = CommandDispatcher.ErrorReply(new Engine.MongoServerException(
                Engine.ErrorCode.NotImplemented, "OP_QUERY is only supported for the handshake commands"));
        }
        else
        {
            // The legacy handshake wraps the command in $query when it carries read preference.
            var command = query.TryGetValue("$query", out var wrapped) ? wrapped.AsBsonDocument : query;
            var database = collection[..^".$cmd".Length];
            command = new BsonDocument(command) { ["$db"] = database };
            var name = command.ElementCount > 0 ? command.GetElement(0).Name : "";
            reply = name is "isMaster" or "ismaster" or "hello"
                ? await server.Dispatcher.ExecuteAsync(command, Context, cancellationToken).ConfigureAwait(false)
                : CommandDispatcher.ErrorReply(new Engine.MongoServerException(
                    Engine.ErrorCode.NotImplemented, $"OP_QUERY is only supported for the handshake, not for '{name}'"));
        }

        if (reply.Contains(CommandDispatcher.CloseConnectionMarker))
        {
            return false;
        }

        var document = CommandDispatcher.Serialize(reply);
        var message = new byte[HeaderLength + 20 + document.Length];
        WriteHeader(message, requestId, OpCode.Reply);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(16), 8); // AwaitCapable
        BinaryPrimitives.WriteInt64LittleEndian(message.AsSpan(20), 0);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(28), 0);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(32), 1);
        document.CopyTo(message, 36);
        await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private async Task<bool> HandleMessageAsync(int requestId, byte[] body, CancellationToken cancellationToken)
    {
        var flags = (MessageFlags)BinaryPrimitives.ReadUInt32LittleEndian(body);
        var end = body.Length - (flags.HasFlag(MessageFlags.ChecksumPresent) ? 4 : 0);
        var position = 4;
        BsonDocument? command = null;
        var sequences = new List<(string Identifier, BsonArray Documents)>();
        while (position < end)
        {
            var kind = body[position++];
            if (kind == 0)
            {
                command = ReadDocument(body, ref position);
            }
            else if (kind == 1)
            {
                var sectionStart = position;
                var size = BinaryPrimitives.ReadInt32LittleEndian(body.AsSpan(position));
                position += 4;
                var nameEnd = Array.IndexOf(body, (byte)0, position);
                var identifier = System.Text.Encoding.UTF8.GetString(body, position, nameEnd - position);
                position = nameEnd + 1;
                var documents = new BsonArray();
                while (position < sectionStart + size)
                {
                    documents.Add(ReadDocument(body, ref position));
                }

                sequences.Add((identifier, documents));
            }
            else
            {
                return false;
            }
        }

        if (command is null)
        {
            return false;
        }

        foreach (var (identifier, documents) in sequences)
        {
            command[identifier] = documents;
        }

        var reply = await server.Dispatcher.ExecuteAsync(command, Context, cancellationToken).ConfigureAwait(false);
        if (reply.Contains(CommandDispatcher.CloseConnectionMarker))
        {
            return false;
        }

        if (flags.HasFlag(MessageFlags.MoreToCome))
        {
            // An unacknowledged write (w: 0): the client expects no reply.
            return true;
        }

        var document = CommandDispatcher.Serialize(reply);
        var message = new byte[HeaderLength + 5 + document.Length];
        WriteHeader(message, requestId, OpCode.Msg);
        BinaryPrimitives.WriteUInt32LittleEndian(message.AsSpan(16), 0);
        message[20] = 0;
        document.CopyTo(message, 21);
        await stream.WriteAsync(message, cancellationToken).ConfigureAwait(false);
        return true;
    }

    private static BsonDocument ReadDocument(byte[] buffer, ref int position)
    {
        var length = BinaryPrimitives.ReadInt32LittleEndian(buffer.AsSpan(position));
        using var memory = new MemoryStream(buffer, position, length, writable: false);
        using var reader = new BsonBinaryReader(memory);
        var document = BsonSerializer.Deserialize<BsonDocument>(reader);
        position += length;
        return document;
    }

    private static void WriteHeader(byte[] message, int responseTo, OpCode opCode)
    {
        BinaryPrimitives.WriteInt32LittleEndian(message, message.Length);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(4), Interlocked.Increment(ref nextResponseId));
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(8), responseTo);
        BinaryPrimitives.WriteInt32LittleEndian(message.AsSpan(12), (int)opCode);
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await stream.ReadExactlyAsync(buffer, cancellationToken).ConfigureAwait(false);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }
}
