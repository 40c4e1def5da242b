using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.Reliability.Tests;

// Found by the model check: fencing tokens restart when a container is deleted and created again under the same name,
// so a lease from before the deletion can write to the new container's task that holds the same token.
public sealed class IncarnationTests(MongoFixture fixture)
{
    private static CancellationToken Token => ReliabilityContext.Token;

    [Fact]
    public async Task A_lease_from_a_deleted_container_cannot_write_to_its_successor_of_the_same_name()
    {
        using var context = new ReliabilityContext(fixture, typeof(IncarnationTests), o => o.RenewLeases = false);
        var (first, _) = await context.Client.GetOrCreateTaskContainerAsync("reborn", Token);
        await first.AddTaskAsync("t", cancellationToken: Token);
        await using var stale = await first.TryLeaseNextTaskAsync("old-worker", TimeSpan.FromHours(1), Token);
        Assert.True(await context.Client.DeleteTaskContainerAsync("reborn", Token));

        var (second, created) = await context.Client.GetOrCreateTaskContainerAsync("reborn", Token);
        Assert.True(created);
        await second.AddTaskAsync("t", cancellationToken: Token);
        await using var current = await second.TryLeaseNextTaskAsync("new-worker", TimeSpan.FromHours(1), Token);
        Assert.Equal(stale!.FencingToken, current!.FencingToken);

        await Assert.ThrowsAsync<LeaseLostException>(() => stale.CompleteAsync(cancellationToken: Token));
        Assert.Equal("running", (await context.StoredAsync("reborn"))!["tasks"][0]["status"].AsString);
    }
}
