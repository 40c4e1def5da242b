namespace PersistentTaskStatus.TestServer.Wire;

/// <summary>The wire-protocol opcodes this server reads or writes.</summary>
internal enum OpCode
{
    Reply = 1,
    Query = 2004,
    Compressed = 2012,
    Msg = 2013,
}

/// <summary>OP_MSG flag bits (https://www.mongodb.com/docs/manual/reference/mongodb-wire-protocol/#op_msg).</summary>
[Flags]
internal enum MessageFlags : uint
{
    None = 0,
    ChecksumPresent = 1,
    MoreToCome = 2,
    ExhaustAllowed = 1 << 16,
}
