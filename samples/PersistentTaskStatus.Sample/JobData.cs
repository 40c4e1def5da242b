using MongoDB.Bson.Serialization.Attributes;
using MongoDB.Driver;

namespace PersistentTaskStatus.Sample;

/// <summary>
/// The input of every step (its task data): which step, on which file, and the job's settings. Everything a worker
/// needs travels in the task itself, so any worker process can pick up any step.
/// </summary>
internal sealed class StepData
{
    public string Kind { get; set; } = "";

    public string? File { get; set; }

    public string FeedDirectory { get; set; } = "";

    public string DownloadDirectory { get; set; } = "";

    public int ChunkBytes { get; set; }

    public double BytesPerSecond { get; set; }

    public int MaxRetries { get; set; }

    public StepData For(string kind, string? file = null) => new()
    {
        Kind = kind,
        File = file,
        FeedDirectory = FeedDirectory,
        DownloadDirectory = DownloadDirectory,
        ChunkBytes = ChunkBytes,
        BytesPerSecond = BytesPerSecond,
        MaxRetries = MaxRetries,
    };
}

/// <summary>A download's checkpoint: how many bytes are safely in the target file.</summary>
[BsonIgnoreExtraElements]
internal sealed class DownloadCheckpoint
{
    public long Offset { get; set; }
}

/// <summary>An import's checkpoint: how many rows are safely in the database.</summary>
[BsonIgnoreExtraElements]
internal sealed class ImportCheckpoint
{
    public int Rows { get; set; }
}

/// <summary>A verification's result, kept as the task's processing data for the proof.</summary>
[BsonIgnoreExtraElements]
internal sealed class VerifyResult
{
    public string Sha256 { get; set; } = "";
}

/// <summary>What the feed check found.</summary>
[BsonIgnoreExtraElements]
internal sealed class CheckFeedResult
{
    public int NewFiles { get; set; }
}

/// <summary>One imported row.</summary>
internal sealed class ImportedRow
{
    public string Id { get; set; } = "";

    public string File { get; set; } = "";

    public int Row { get; set; }

    public long AppId { get; set; }

    public string Title { get; set; } = "";

    public int PriceCents { get; set; }

    public string Thumbnail { get; set; } = "";
}

/// <summary>
/// The workers' own record of each attempt, kept apart from the task containers so that the proof can hold the
/// library's state against an independent account: who started what, where it resumed, and how it ended.
/// </summary>
internal sealed class AttemptRecord
{
    public const string Completed = "completed";
    public const string Failed = "failed";
    public const string LeaseLost = "lease lost";

    /// <summary>"{task}#{fencing token}": each lease is one attempt.</summary>
    public string Id { get; set; } = "";

    public string Task { get; set; } = "";

    public int Attempt { get; set; }

    public long FencingToken { get; set; }

    public string Worker { get; set; } = "";

    public DateTime StartedAt { get; set; }

    /// <summary>The checkpoint this attempt started from (bytes or rows), 0 when from scratch.</summary>
    public long ResumedFrom { get; set; }

    /// <summary>
    /// <see cref="Completed"/>, <see cref="Failed"/>, <see cref="LeaseLost"/> (the lease expired while the worker
    /// lived and another took the step over), or null when the worker died during the attempt.
    /// </summary>
    public string? Outcome { get; set; }

    public string? Error { get; set; }
}

/// <summary>A feed file recorded as imported, so the next hourly check does not take it again.</summary>
internal sealed class ImportedFile
{
    public string Id { get; set; } = "";

    public int Rows { get; set; }

    public DateTime ImportedAt { get; set; }
}

/// <summary>The sample's collections, beside the library's <c>taskContainers</c>.</summary>
internal sealed class SampleCollections(IMongoDatabase database)
{
    public IMongoCollection<ImportedRow> Rows { get; } = database.GetCollection<ImportedRow>("rows");

    public IMongoCollection<AttemptRecord> Attempts { get; } = database.GetCollection<AttemptRecord>("attempts");

    public IMongoCollection<ImportedFile> ImportedFiles { get; } = database.GetCollection<ImportedFile>("importedFiles");
}
