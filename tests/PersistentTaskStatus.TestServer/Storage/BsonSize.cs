using MongoDB.Bson;
using MongoDB.Bson.IO;
using MongoDB.Bson.Serialization;

namespace PersistentTaskStatus.TestServer.Storage;

/// <summary>A document's BSON size, counted while writing it to nowhere: no buffer of its size is allocated.</summary>
internal static class BsonSize
{
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
