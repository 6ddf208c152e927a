using System.Xml.Linq;
using Microsoft.AspNetCore.DataProtection.Repositories;
using Stox.ServiceDefaults.Redis;

namespace Stox.Frontend.Sessions;

/// <summary>
/// Data Protection keys in a Redis hash, shared by every replica and kept across restarts, so that session
/// cookies, encrypted sessions and antiforgery tokens stay valid.
/// </summary>
public sealed class RedisXmlRepository(IRedisConnection redis) : IXmlRepository
{
    internal const string Key = "stox:frontend:dataprotection-keys";

    // Data Protection's repository contract is synchronous; it is called rarely (key ring load and key creation).
    public IReadOnlyCollection<XElement> GetAllElements() =>
        redis.ExecuteAsync("HVALS", Key).GetAwaiter().GetResult().Items
            .Select(item => item.AsString())
            .OfType<string>()
            .Select(xml => XElement.Parse(xml))
            .ToList();

    public void StoreElement(XElement element, string friendlyName) =>
        redis.ExecuteAsync("HSET", Key, friendlyName, element.ToString(SaveOptions.DisableFormatting)).GetAwaiter().GetResult();
}
