namespace Sigs.Host.Configuration;

/// <summary>
/// The options of one configured feed: a record per feed type, declared beside the feed (see
/// <see cref="IExtensionType"/>). Its <c>type</c> key picks the record; the schema is generated from it.
/// </summary>
internal abstract record FeedOptions;

/// <summary>The options of one configured output; a record per output type, declared beside the output.</summary>
internal abstract record OutputOptions;

/// <summary>The options of one configured forward (events sent on to correlators); a record per forward type, declared beside it.</summary>
internal abstract record ForwardOptions;
