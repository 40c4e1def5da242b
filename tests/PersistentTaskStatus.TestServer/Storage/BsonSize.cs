using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;

namespace PersistentTaskStatus.TestServer.Storage;

/// <summary>
/// A document's BSON size, counted while writing it to nowhere (no buffer of its size is allocated), and MongoDB's
/// limits on sizes.
/// </summary>
internal static class BsonSize
{
    /// <summary>The largest document a user may store (<c>BSONObjMaxUserSize</c>, <c>maxBsonObjectSize</c> in hello).</summary>
    public const int MaxUserObjectBytes = 16 * 1024 * 1024;

    /// <summary>
    /// The largest BSON object the server builds at all (<c>BSONObjMaxInternalSize</c>, 16 MiB + 16 KiB): a result
    /// document, change event or reply past it fails with BSONObjectTooLarge (10334) when it is built.
    /// </summary>
    public const int MaxInternalObjectBytes = MaxUserObjectBytes + 16 * 1024;

    /// <summary>The bytes of documents one batch of a cursor reply may hold (<c>kMaxBytesToReturnToClientAtOnce</c>).</summary>
    public const int MaxBatchBytes = MaxUserObjectBytes;

    /// <summary>MongoDB's error for an object past <see cref="MaxInternalObjectBytes"/> (BSONObj::_assertInvalid).</summary>
    public static Engine.MongoServerException TooLarge(int size, BsonDocument document) => new(
        Engine.ErrorCode.BSONObjectTooLarge,
        $"BSONObj size: {size} (0x{size:X}) is invalid. Size must be between 0 and {MaxInternalObjectBytes}(16MB) First element: {(document.ElementCount == 0 ? "EOO" : $"{document.GetElement(0).Name}: {document[0].ToJson()}")}");

    /// <summary>The size of <paramref name="document"/>, failing as MongoDB does when it is past <see cref="MaxInternalObjectBytes"/>.</summary>
    public static int CheckInternal(BsonDocument document)
    {
        var size = Of(document);
        return size > MaxInternalObjectBytes ? throw TooLarge(size, document) : size;
    }

    public static int Of(BsonDocument document)
    {
        using var counter = new CountingStream();
        using (var writer = new BsonBinaryWriter(counter, new BsonBinaryWriterSettings { MaxDocumentSize = int.MaxValue }))
        {
            BsonSerializer.Serialize(writer, document);
        }

        return (int)counter.Length;
    }

    private sealed class CountingStream : Stream
    {
        private long length;
        private long position;

        public override bool CanRead => false;

        public override bool CanSeek => true;

        public override bool CanWrite => true;

        public override long Length => length;

        public override long Position
        {
            get => position;
            set => position = value;
        }

        public override void Flush()
        {
        }

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override long Seek(long offset, SeekOrigin origin)
        {
            position = origin switch
            {
                SeekOrigin.Begin => offset,
                SeekOrigin.Current => position + offset,
                _ => length + offset,
            };
            return position;
        }

        public override void SetLength(long value) => length = value;

        public override void Write(byte[] buffer, int offset, int count) => Advance(count);

        public override void Write(ReadOnlySpan<byte> buffer) => Advance(buffer.Length);

        public override void WriteByte(byte value) => Advance(1);

        private void Advance(int count)
        {
            position += count;
            length = Math.Max(length, position);
        }
    }
}
