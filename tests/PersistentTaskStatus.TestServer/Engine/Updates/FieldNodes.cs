using MongoDB.Bson;

namespace PersistentTaskStatus.TestServer.Engine.Updates;

/// <summary><c>$set</c> (https://www.mongodb.com/docs/manual/reference/operator/update/set/).</summary>
internal class SetNode(BsonValue value) : ModifierNode
{
    protected override bool CanSetObjectValue => true;

    protected override bool UpdateExisting(UpdateApplyState state, UpdatePosition position)
    {
        if (BsonIdentity.Same(position.Element, value))
        {
            return false;
        }

        position.Replace(value.DeepClone());
        return true;
    }

    protected override BsonValue ValueForNewElement(UpdateApplyState state) => value.DeepClone();
}

/// <summary><c>$setOnInsert</c> (https://www.mongodb.com/docs/manual/reference/operator/update/setOnInsert/).</summary>
internal sealed class SetOnInsertNode(BsonValue value) : SetNode(value)
{
    protected override bool InsertOnly => true;
}

/// <summary>
/// <c>$unset</c> (https://www.mongodb.com/docs/manual/reference/operator/update/unset/): removes a field; an array
/// element is set to null instead, so the array keeps its length.
/// </summary>
internal sealed class UnsetNode : ModifierNode
{
    protected override bool AllowCreation => false;

    protected override bool AllowNonViablePath => true;

    protected override bool UpdateExisting(UpdateApplyState state, UpdatePosition position)
    {
        switch (position.Parent)
        {
            case BsonDocument document:
                document.Remove(position.FieldName);
                return true;
            case BsonArray:
                if (position.Element.IsBsonNull)
                {
                    return false;
                }

                position.Replace(BsonNull.Value);
                return true;
            default:
                return false;
        }
    }
}

/// <summary>
/// <c>$currentDate</c> (https://www.mongodb.com/docs/manual/reference/operator/update/currentDate/): the command's
/// <c>$$NOW</c> as a date, or a timestamp.
/// </summary>
internal sealed class CurrentDateNode(bool asTimestamp) : ModifierNode
{
    private static int increment;

    protected override bool UpdateExisting(UpdateApplyState state, UpdatePosition position)
    {
        var value = ValueForNewElement(state);
        if (BsonIdentity.Same(position.Element, value))
        {
            return false;
        }

        position.Replace(value);
        return true;
    }

    protected override BsonValue ValueForNewElement(UpdateApplyState state)
    {
        var now = state.Context.Expressions.Now;
        if (!asTimestamp)
        {
            return now;
        }

        // A timestamp value is unique per write in MongoDB (seconds, increment); a process-wide counter keeps it so.
        var seconds = (int)(now.MillisecondsSinceEpoch / 1000);
        return new BsonTimestamp(seconds, Interlocked.Increment(ref increment));
    }
}

/// <summary>Marks the source path of a <c>$rename</c> in the tree so that other operators on it conflict.</summary>
internal sealed class ConflictPlaceholderNode : UpdateNode
{
    public override bool Apply(UpdateApplyState state, UpdatePosition position) => false;
}
