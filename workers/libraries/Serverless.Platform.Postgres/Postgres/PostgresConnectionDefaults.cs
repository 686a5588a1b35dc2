using System.Data.Common;
using Npgsql;

namespace Serverless.Platform.Postgres;

/// <summary>
/// Npgsql defaults that cost every replica's start and buy our schema nothing, changed unless the
/// connection string sets them itself:
/// <list type="bullet">
/// <item>type loading off: the first connection of a pool otherwise reads the server's whole type
/// catalogue; our tables use built-in types only (no enums, domains or extension types), which Npgsql
/// knows without asking. A connection string with <c>Server Compatibility Mode</c> keeps Npgsql's
/// behaviour for it.</item>
/// <item><c>GSS Encryption Mode=Disable</c>: <c>Prefer</c> loads the Kerberos libraries and looks
/// for a ticket on every new connection; a pod has none unless the operator set Kerberos up, and
/// then says so in the connection string.</item>
/// </list>
/// </summary>
public static class PostgresConnectionDefaults
{
    public static NpgsqlDataSource CreateDataSource(NpgsqlConnectionStringBuilder settings, string configured)
    {
        var keys = Keywords(configured);
        if (!keys.Contains("gssencryptionmode") && !keys.Contains("gssencmode"))
        {
            settings.GssEncryptionMode = GssEncryptionMode.Disable;
        }

        var builder = new NpgsqlDataSourceBuilder(settings.ConnectionString);
        if (!LoadsTypes(keys))
        {
            builder.ConfigureTypeLoading(types => types.EnableTypeLoading(false));
        }

        return builder.Build();
    }

    /// <summary>Whether a pool made from <paramref name="configured"/> reads the server's type catalogue.</summary>
    public static bool LoadsTypes(string configured) => LoadsTypes(Keywords(configured));

    private static bool LoadsTypes(HashSet<string> keys) => keys.Contains("servercompatibilitymode");

    // The keywords as written, spaces and case aside: Npgsql's own builder cannot tell a value set to
    // its default from one never set.
    private static HashSet<string> Keywords(string connectionString)
    {
        var parsed = new DbConnectionStringBuilder { ConnectionString = connectionString };
        return parsed.Keys.Cast<string>().Select(k => k.Replace(" ", string.Empty, StringComparison.Ordinal).ToLowerInvariant()).ToHashSet(StringComparer.Ordinal);
    }
}
