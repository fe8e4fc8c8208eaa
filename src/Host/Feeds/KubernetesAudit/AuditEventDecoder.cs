using System.Text.Json;
using Sigs.Host.Feeds.Json;
using Sigs.Plugins;

namespace Sigs.Host.Feeds.KubernetesAudit;

/// <summary>
/// Decodes <c>audit.k8s.io/v1</c> <c>Event</c> records (audit log lines) and <c>EventList</c> batches (the
/// webhook backend's POST body), in one pass over their bytes.
/// </summary>
internal static class AuditEventDecoder
{
    public const string PodNameExtra = "authentication.kubernetes.io/pod-name";
    public const string PodUidExtra = "authentication.kubernetes.io/pod-uid";
    public const string NodeNameExtra = "authentication.kubernetes.io/node-name";
    private const string ServiceAccountPrefix = "system:serviceaccount:";

    /// <summary>The largest request body kept (<see cref="AuditInfo.RequestObject"/>): a pod spec is a few KiB.</summary>
    public const int MaxRequestObjectBytes = 64 * 1024;

    private static readonly PropertyNames<Field> Fields = FormatDetection.TopLevelNames(
        ("apiVersion", Field.ApiVersion), ("kind", Field.Kind), ("items", Field.Items),
        ("requestReceivedTimestamp", Field.RequestReceivedTimestamp), ("stageTimestamp", Field.StageTimestamp), ("user", Field.User),
        ("responseStatus", Field.ResponseStatus), ("stage", Field.Stage), ("verb", Field.Verb), ("requestURI", Field.RequestUri),
        ("auditID", Field.AuditId), ("level", Field.Level), ("userAgent", Field.UserAgent), ("sourceIPs", Field.SourceIps), ("objectRef", Field.ObjectRef),
        ("requestObject", Field.RequestObject));

    private static readonly PropertyNames<Field> UserFields = new(("username", Field.Username), ("groups", Field.Groups), ("extra", Field.Extra));

    private static readonly PropertyNames<Field> ObjectRefFields = new(
        ("resource", Field.Resource), ("subresource", Field.Subresource), ("namespace", Field.Namespace), ("name", Field.Name),
        ("apiGroup", Field.ApiGroup), ("apiVersion", Field.ObjectApiVersion));

    private enum Field
    {
        Other, ApiVersion, Kind, Items, RequestReceivedTimestamp, StageTimestamp, User, ResponseStatus, Stage, Verb, RequestUri,
        AuditId, Level, UserAgent, SourceIps, ObjectRef, RequestObject, Username, Groups, Extra,
        Resource, Subresource, Namespace, Name, ApiGroup, ObjectApiVersion,
    }

    /// <summary>
    /// Decodes an <c>Event</c> or every item of an <c>EventList</c> into <paramref name="decoded"/>: a bad item is
    /// one of its problems, and the other items are kept. A document that is no audit event throws; false when
    /// <paramref name="keys"/> say it is in another format.
    /// </summary>
    public static bool Decode(ReadOnlySpan<byte> json, DecodedInput decoded, out FormatKeys keys)
    {
        var reader = new Utf8JsonReader(json, JsonValueReader.Options);
        keys = FormatKeys.None;
        string? apiVersion = null, kind = null;
        bool hasItems = false;
        var items = new List<SecurityEvent>();
        var itemProblems = new List<string>();
        var single = new AuditFields();
        EventDecodeException? singleProblem = null;

        TopLevel.Start(ref reader);
        while (Fields.Next(ref reader, out Field field, out FormatKeys key))
        {
            keys |= key;
            switch (field)
            {
                case Field.ApiVersion:
                    EventDecodeException? versionProblem = JsonValueReader.TryRead(ref reader, "apiVersion", JsonValueReader.String, out apiVersion);
                    singleProblem ??= versionProblem;
                    break;
                case Field.Kind:
                    EventDecodeException? kindProblem = JsonValueReader.TryRead(ref reader, "kind", JsonValueReader.String, out kind);
                    singleProblem ??= kindProblem;
                    break;
                case Field.Items when reader.TokenType == JsonTokenType.StartArray:
                    hasItems = true;
                    items.Clear();
                    itemProblems.Clear();
                    ReadItems(ref reader, json, items, itemProblems);
                    break;
                case Field.Items:
                    hasItems = false;
                    reader.Skip();
                    break;
                default:
                    // The fields of a single Event; an EventList's own are not read, so their errors count only for an Event.
                    if (singleProblem is null)
                    {
                        Utf8JsonReader saved = reader;
                        try
                        {
                            single.Read(field, ref reader, json);
                        }
                        catch (EventDecodeException ex)
                        {
                            singleProblem = ex;
                            reader = saved;
                            reader.Skip();
                        }
                    }
                    else
                    {
                        reader.Skip();
                    }

                    break;
            }
        }

        TopLevel.End(ref reader);
        if (FormatDetection.Detect(keys) != InputFormat.KubernetesAudit)
        {
            return false;
        }

        if (apiVersion != "audit.k8s.io/v1")
        {
            throw new EventDecodeException($"apiVersion '{apiVersion}' is not supported (expected audit.k8s.io/v1)");
        }

        switch (kind)
        {
            case "Event":
                decoded.Events.Add(singleProblem is null ? single.ToEvent() : throw singleProblem);
                break;
            case "EventList":
                if (!hasItems)
                {
                    throw new EventDecodeException("EventList has no 'items' array");
                }

                decoded.Events.AddRange(items);
                decoded.Problems.AddRange(itemProblems);
                break;
            default:
                throw new EventDecodeException($"kind '{kind}' is not an audit Event or EventList");
        }

        return true;
    }

    private static void ReadItems(ref Utf8JsonReader reader, ReadOnlySpan<byte> json, List<SecurityEvent> items, List<string> problems)
    {
        int index = 0;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Utf8JsonReader saved = reader;
            try
            {
                if (reader.TokenType != JsonTokenType.StartObject)
                {
                    throw new EventDecodeException("an audit event must be an object");
                }

                var fields = new AuditFields();
                while (Fields.Next(ref reader, out Field field))
                {
                    fields.Read(field, ref reader, json);
                }

                items.Add(fields.ToEvent());
            }
            catch (Exception ex) when (ex is not (OperationCanceledException or JsonException))
            {
                problems.Add($"items[{index}]: {(ex is EventDecodeException ? ex.Message : $"{ex.GetType().Name}: {ex.Message}")}");
                reader = saved;
                reader.Skip();
            }

            index++;
        }
    }

    /// <summary>What one audit event says, read property by property.</summary>
    private sealed class AuditFields
    {
        private bool _hasReceived, _hasStaged;
        private DateTimeOffset? _received, _staged;
        private EventDecodeException? _stagedProblem;
        private string? _userName, _stage, _verb, _requestUri;
        private IReadOnlyList<string>? _pods, _podUids, _nodes, _groups, _sourceIps;
        private Dictionary<string, IReadOnlyList<string>>? _extra;
        private AuditObjectReference? _objectRef;
        private JsonElement? _requestObject;
        private int? _requestObjectLeftOut;
        private int? _responseCode;
        private readonly string?[] _args = new string?[ArgumentNames.Length];

        /// <summary>The fields kept as the event's arguments, in this order.</summary>
        private static readonly string[] ArgumentNames = ["auditID", "level", "userAgent", "sourceIPs", "objectRef"];

        public void Read(Field field, ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
        {
            switch (field)
            {
                case Field.RequestReceivedTimestamp: _hasReceived = true; _received = JsonValueReader.Timestamp(ref reader, "requestReceivedTimestamp"); break;
                case Field.StageTimestamp: _hasStaged = true; ReadStaged(ref reader); break;
                case Field.User: ReadUser(ref reader); break;
                case Field.ResponseStatus: _responseCode = JsonFields.Narrow(JsonValueReader.MemberInteger(ref reader, "responseStatus", "code"), "code"); break;
                case Field.Stage: _stage = JsonValueReader.String(ref reader, "stage"); break;
                case Field.Verb: _verb = JsonValueReader.String(ref reader, "verb"); break;
                case Field.RequestUri: _requestUri = JsonValueReader.String(ref reader, "requestURI"); break;
                case Field.AuditId: _args[0] = JsonValueReader.Text(ref reader, json); break;
                case Field.Level: _args[1] = JsonValueReader.Text(ref reader, json); break;
                case Field.UserAgent: _args[2] = JsonValueReader.String(ref reader, "userAgent"); break;
                case Field.SourceIps: ReadSourceIps(ref reader, json); break;
                case Field.ObjectRef: ReadObjectRef(ref reader, json); break;
                case Field.RequestObject: ReadRequestObject(ref reader); break;
                default: reader.Skip(); break;
            }
        }

        public SecurityEvent ToEvent()
        {
            DateTimeOffset time = _hasReceived ? _received!.Value
                : _hasStaged ? _staged ?? throw _stagedProblem!
                : throw new EventDecodeException("audit event has neither 'requestReceivedTimestamp' nor 'stageTimestamp'");
            var args = new Dictionary<string, string>(StringComparer.Ordinal);
            for (int i = 0; i < ArgumentNames.Length; i++)
            {
                if (_args[i] is { } text)
                {
                    args[ArgumentNames[i]] = text;
                }
            }

            if (_requestObjectLeftOut is int leftOut)
            {
                args["requestObject"] = $"left out: {leftOut} bytes, more than the {MaxRequestObjectBytes} Sigs keeps";
            }

            string? ns = ServiceAccountNamespace(_userName);
            return new SecurityEvent
            {
                Time = time,
                Source = EventSources.KubernetesAudit,
                Name = EventNames.KubernetesAudit,
                Origin = EventOrigin.Host,
                Kubernetes = _pods is { Count: > 0 } || ns is not null
                    ? new KubernetesInfo { PodName = _pods is { Count: > 0 } ? _pods[0] : null, Namespace = ns, PodUid = _podUids is { Count: > 0 } ? _podUids[0] : null }
                    : null,
                Audit = new AuditInfo
                {
                    Stage = _stage,
                    Verb = _verb,
                    User = _userName,
                    RequestingPods = _pods,
                    RequestingNodes = _nodes,
                    RequestUri = _requestUri,
                    ResponseCode = _responseCode,
                    ObjectRef = _objectRef,
                    UserGroups = _groups,
                    UserExtra = _extra,
                    SourceIps = _sourceIps,
                    UserAgent = _args[2],
                    RequestObject = _objectRef?.Resource is { } resource && resource != "secrets" ? _requestObject : null, // a Secret's data is never kept, nor a body of unknown kind
                },
                Arguments = args,
            };
        }

        /// <summary>Only used without <c>requestReceivedTimestamp</c> (and then named as that field), so its error counts only then.</summary>
        private void ReadStaged(ref Utf8JsonReader reader)
        {
            _stagedProblem = JsonValueReader.TryRead(ref reader, "requestReceivedTimestamp", static (ref Utf8JsonReader r, string name) => (DateTimeOffset?)JsonValueReader.Timestamp(ref r, name), out _staged);
        }

        /// <summary>
        /// The request body, when it is at most <see cref="MaxRequestObjectBytes"/> of JSON (a larger one is left
        /// out and said so in the argument <c>requestObject</c>); a Secret's is dropped in <see cref="ToEvent"/>.
        /// </summary>
        private void ReadRequestObject(ref Utf8JsonReader reader)
        {
            Utf8JsonReader value = reader;
            int bytes = JsonValueReader.Extent(ref reader).GetOffsetAndLength(int.MaxValue).Length;
            _requestObject = value.TokenType != JsonTokenType.Null && bytes <= MaxRequestObjectBytes ? JsonElement.ParseValue(ref value) : null;
            _requestObjectLeftOut = bytes > MaxRequestObjectBytes ? bytes : null;
        }

        /// <summary>The addresses, kept as the argument <c>sourceIPs</c> (their JSON) too, as before SDK 1.5.</summary>
        private void ReadSourceIps(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
        {
            Utf8JsonReader list = reader;
            _sourceIps = JsonValueReader.StringArray(ref list, "sourceIPs");
            _args[3] = JsonValueReader.Text(ref reader, json);
        }

        /// <summary>The object reference, kept as the argument <c>objectRef</c> (its JSON) too, as before SDK 1.5.</summary>
        private void ReadObjectRef(ref Utf8JsonReader reader, ReadOnlySpan<byte> json)
        {
            Utf8JsonReader members = reader;
            _args[4] = JsonValueReader.Text(ref reader, json);
            _objectRef = null;
            if (!JsonValueReader.Object(ref members, "objectRef"))
            {
                return;
            }

            string? resource = null, subresource = null, ns = null, name = null, apiGroup = null, apiVersion = null;
            while (ObjectRefFields.Next(ref members, out Field field))
            {
                switch (field)
                {
                    case Field.Resource: resource = JsonValueReader.String(ref members, "objectRef.resource"); break;
                    case Field.Subresource: subresource = JsonValueReader.String(ref members, "objectRef.subresource"); break;
                    case Field.Namespace: ns = JsonValueReader.String(ref members, "objectRef.namespace"); break;
                    case Field.Name: name = JsonValueReader.String(ref members, "objectRef.name"); break;
                    case Field.ApiGroup: apiGroup = JsonValueReader.String(ref members, "objectRef.apiGroup"); break;
                    case Field.ObjectApiVersion: apiVersion = JsonValueReader.String(ref members, "objectRef.apiVersion"); break;
                    default: members.Skip(); break;
                }
            }

            _objectRef = new AuditObjectReference { Resource = resource, Subresource = subresource, Namespace = ns, Name = name, ApiGroup = apiGroup, ApiVersion = apiVersion };
        }

        private void ReadUser(ref Utf8JsonReader reader)
        {
            (_userName, _pods, _podUids, _nodes, _groups, _extra) = (null, null, null, null, null, null);
            if (!JsonValueReader.Object(ref reader, "user"))
            {
                return;
            }

            while (UserFields.Next(ref reader, out Field field))
            {
                switch (field)
                {
                    case Field.Username: _userName = JsonValueReader.String(ref reader, "username"); break;
                    case Field.Groups: _groups = JsonValueReader.StringArray(ref reader, "user.groups"); break;
                    case Field.Extra: ReadExtra(ref reader); break;
                    default: reader.Skip(); break;
                }
            }
        }

        /// <summary>Every extra key's values; the pod and node keys also fill their own fields.</summary>
        private void ReadExtra(ref Utf8JsonReader reader)
        {
            (_pods, _podUids, _nodes, _extra) = (null, null, null, null);
            if (!JsonValueReader.Object(ref reader, "extra"))
            {
                return;
            }

            var extra = new Dictionary<string, IReadOnlyList<string>>(StringComparer.Ordinal);
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string key = RecentStrings.Get(in reader);
                reader.Read();
                string[]? values = JsonValueReader.StringArray(ref reader, $"user.extra[\"{key}\"]");
                if (values is null)
                {
                    continue;
                }

                extra[key] = values;
                switch (key)
                {
                    case PodNameExtra: _pods = values; break;
                    case PodUidExtra: _podUids = values; break;
                    case NodeNameExtra: _nodes = values; break;
                }
            }

            _extra = extra;
        }
    }

    /// <summary>The namespace of a <c>system:serviceaccount:NAMESPACE:NAME</c> user.</summary>
    private static string? ServiceAccountNamespace(string? userName)
    {
        if (userName is null || !userName.StartsWith(ServiceAccountPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        string rest = userName[ServiceAccountPrefix.Length..];
        int colon = rest.IndexOf(':', StringComparison.Ordinal);
        return colon > 0 ? rest[..colon] : null;
    }
}
