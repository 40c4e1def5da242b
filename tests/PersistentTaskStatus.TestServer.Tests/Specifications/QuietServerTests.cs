using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Specifications;

/// <summary>
/// The specification tests assume a cluster where nothing else writes: a client-wide change stream ("Executing a
/// watch helper on a MongoClient ...") takes the first change anywhere for the one its test made. They run after every
/// test that may run in parallel (<see cref="SpecificationTestsCollection"/>), so what could still write is the
/// server's background TTL monitor, deleting documents that earlier tests left to expire, at a moment that depends
/// on how busy the machine is. This checks that no test leaves such documents.
/// </summary>
[Collection(SpecificationTestsCollection.Name)]
public sealed class QuietServerTests(MongoFixture fixture)
{
    [Fact]
    public void No_document_left_by_earlier_tests_is_due_to_expire_during_the_specification_tests()
    {
        var server = fixture.TestServer;
        if (server is null)
        {
            Assert.Skip("The TTL monitor's pending work is known only on the in-process test server.");
        }

        Assert.Equal(0, server.Engine.Ttl.CountExpiring());
    }
}
