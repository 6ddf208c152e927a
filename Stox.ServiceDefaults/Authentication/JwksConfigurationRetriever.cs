using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Stox.ServiceDefaults.Authentication;

/// <summary>
/// Reads a bare RFC 7517 key set (auth's <c>/.well-known/jwks.json</c>, the contract between auth and the services)
/// into the configuration the library's <see cref="ConfigurationManager{T}"/> caches and refreshes. The issuer is not
/// taken from a discovery document: it is the one configured in <see cref="StoxJwtOptions.Issuer"/>.
/// </summary>
public sealed class JwksConfigurationRetriever : IConfigurationRetriever<OpenIdConnectConfiguration>
{
    public async Task<OpenIdConnectConfiguration> GetConfigurationAsync(string address, IDocumentRetriever retriever, CancellationToken cancel)
    {
        ArgumentNullException.ThrowIfNull(retriever);
        var document = await retriever.GetDocumentAsync(address, cancel).ConfigureAwait(false);
        var keys = new JsonWebKeySet(document) { SkipUnresolvedJsonWebKeys = true };
        var configuration = new OpenIdConnectConfiguration { JsonWebKeySet = keys, JwksUri = address };
        foreach (var key in keys.GetSigningKeys())
        {
            configuration.SigningKeys.Add(key);
        }

        return configuration;
    }
}
