using MongoDB.Driver;

namespace PersistentTaskStatus.TestServer.Tests.Commands;

internal static class ChangeStreamReading
{
    /// <summary>
    /// Reads events until <paramref name="count"/> have arrived, the cursor closes, or <paramref name="within"/> (a
    /// minute by default) passes; returns what arrived (a test then asserts on the count, so a missing event fails
    /// instead of hanging). The default is generous because it only bounds a failure: events that arrive end the wait
    /// at once, however busy the machine. A test that expects no event passes a short <paramref name="within"/>.
    /// </summary>
    public static async Task<List<T>> ReadAsync<T>(this IChangeStreamCursor<T> cursor, int count, CancellationToken cancellationToken, TimeSpan? within = null)
    {
        var deadline = DateTime.UtcNow + (within ?? TimeSpan.FromMinutes(1));
        var events = new List<T>();
        while (events.Count < count && DateTime.UtcNow < deadline)
        {
            if (!await cursor.MoveNextAsync(cancellationToken))
            {
                break;
            }

            events.AddRange(cursor.Current);
        }

        return events;
    }

    /// <summary>True when the cursor reports that it is closed within a few getMores (after an invalidate).</summary>
    public static async Task<bool> IsClosedAsync<T>(this IChangeStreamCursor<T> cursor, CancellationToken cancellationToken)
    {
        for (var i = 0; i < 5; i++)
        {
            if (!await cursor.MoveNextAsync(cancellationToken))
            {
                return true;
            }

            if (cursor.Current.Any())
            {
                return false;
            }
        }

        return false;
    }
}
