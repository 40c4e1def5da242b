using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace PersistentTaskStatus.Sample;

/// <summary>One file of the feed, as the generator wrote it: what the proof compares the imported data with.</summary>
internal sealed record FeedFile(string Name, long Bytes, int Rows, long PriceCentsSum, string Sha256);

/// <summary>
/// The "remote" feed, generated locally so the sample needs no network: a folder of CSV exports, each published with
/// a <c>.sha256</c> file beside it (as real feeds publish checksums). The content depends only on the seed, so a run
/// can be repeated exactly.
/// </summary>
internal static class Feed
{
    public const string Header = "id,title,price_cents,thumbnail";

    // Wide rows (an app record with its thumbnail inline, as base64): megabytes of feed in a few thousand rows.
    private const int ThumbnailBytes = 9 * 1024;

    public static IReadOnlyList<FeedFile> Generate(string directory, int files, long bytesPerFile, int seed)
    {
        Directory.CreateDirectory(directory);
        var result = new List<FeedFile>();
        for (var f = 1; f <= files; f++)
        {
            var name = $"part-{f:00}.csv";
            var path = Path.Combine(directory, name);
            var random = new Random(HashCode32($"{seed}/{name}"));
            var rows = 0;
            var priceSum = 0L;
            using (var writer = new StreamWriter(path, append: false, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), 1 << 16))
            {
                writer.Write(Header);
                writer.Write('\n');
                var written = Header.Length + 1L;
                var thumbnail = new byte[ThumbnailBytes];
                while (written < bytesPerFile)
                {
                    rows++;
                    var price = random.Next(0, 10_000);
                    priceSum += price;
                    random.NextBytes(thumbnail);
                    var line = string.Create(CultureInfo.InvariantCulture, $"{(f * 10_000_000L) + rows},App {f}-{rows},{price},{Convert.ToBase64String(thumbnail)}\n");
                    writer.Write(line);
                    written += line.Length;
                }
            }

            var sha = Sha256Of(path);
            File.WriteAllText(ChecksumPath(path), $"{sha}  {name}\n");
            result.Add(new FeedFile(name, new FileInfo(path).Length, rows, priceSum, sha));
        }

        return result;
    }

    /// <summary>The files the feed publishes (each CSV that has its checksum beside it).</summary>
    public static IEnumerable<string> List(string directory) =>
        Directory.EnumerateFiles(directory, "*.csv")
            .Where(path => File.Exists(ChecksumPath(path)))
            .Select(Path.GetFileName)
            .Order(StringComparer.Ordinal)!;

    public static string PublishedChecksum(string directory, string name) =>
        File.ReadAllText(ChecksumPath(Path.Combine(directory, name))).Split(' ', 2)[0];

    public static string Sha256Of(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    /// <summary>A hash that is the same in every process (string.GetHashCode is randomized per process).</summary>
    public static int HashCode32(string text)
    {
        var hash = 2166136261u;
        foreach (var c in text)
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash & 0x7FFFFFFF);
    }

    private static string ChecksumPath(string csvPath) => csvPath + ".sha256";
}
