using System.Net.Security;
using System.Net.Sockets;
using System.Security.Authentication;
using MongoDB.Driver;
using PersistentTaskStatus.TestInfrastructure;

namespace PersistentTaskStatus.TestServer.Tests.Wire;

public sealed class HandshakeTests(MongoFixture fixture)
{
    [Fact]
    public async Task The_driver_connects_and_sees_a_replica_set_primary()
    {
        var database = fixture.Client.GetDatabase("admin");

        var hello = await database.RunCommandAsync<BsonDocument>(new BsonDocument("hello", 1), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(hello["isWritablePrimary"].AsBoolean);
        Assert.True(hello.Contains("setName"));
        Assert.True(hello["maxWireVersion"].AsInt32 >= 21);
        Assert.True(hello.Contains("logicalSessionTimeoutMinutes"));
    }

    [Fact]
    public async Task BuildInfo_reports_a_version_array()
    {
        var database = fixture.Client.GetDatabase("admin");

        var info = await database.RunCommandAsync<BsonDocument>(new BsonDocument("buildInfo", 1), cancellationToken: TestContext.Current.CancellationToken);

        Assert.True(info["versionArray"].AsBsonArray[0].AsInt32 >= 7);
    }

    // MongoDB without TLS takes a first message that answers something (responseTo neither 0 nor -1) for a TLS
    // ClientHello and ends the connection ("SSL handshake received but server is started without SSL support", in the
    // transport layer's session), so a client that asks for TLS learns it at once instead of waiting for its timeout.
    [Fact]
    public async Task A_TLS_handshake_is_refused_at_once_by_closing_the_connection()
    {
        var url = new MongoUrl(fixture.ConnectionString);
        if (url.UseTls)
        {
            Assert.Skip("The MongoDB under test speaks TLS.");
        }

        using var tcp = new TcpClient();
        await tcp.ConnectAsync(url.Server.Host, url.Server.Port, TestContext.Current.CancellationToken);
        await using var tls = new SslStream(tcp.GetStream());
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        patience.CancelAfter(TimeSpan.FromSeconds(60));

        var error = await Record.ExceptionAsync(() => tls.AuthenticateAsClientAsync(
            new SslClientAuthenticationOptions { TargetHost = url.Server.Host, RemoteCertificateValidationCallback = (_, _, _, _) => true },
            patience.Token));

        Assert.True(error is IOException or AuthenticationException, $"Expected the handshake to fail, got {error}");
    }
}
