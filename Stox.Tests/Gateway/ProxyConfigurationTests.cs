using Stox.Gateway;
using Stox.Gateway.Routing;

namespace Stox.Tests.Gateway;

/// <summary>What each kind of route gets from the settings, with the defaults an operator starts from.</summary>
public sealed class ProxyConfigurationTests
{
    private static readonly GatewayOptions Defaults = new();

    private static readonly Dictionary<string, Yarp.ReverseProxy.Configuration.RouteConfig> Routes = ProxyConfiguration
        .Build(Defaults)
        .Routes.ToDictionary(r => r.RouteId);

    [Theory]
    [InlineData("images-upload")]
    [InlineData("images-upload-url")]
    [InlineData("images-upload-complete")]
    public void Upload_routes_take_several_50_MB_files_and_have_the_upload_timeout(string route)
    {
        Assert.True(Routes[route].MaxRequestBodySize >= 3 * 50L * 1024 * 1024, $"{route}: {Routes[route].MaxRequestBodySize}");
        Assert.Equal(Defaults.UploadTimeout, Routes[route].Timeout);
        Assert.Equal(["POST"], Routes[route].Match.Methods);
    }

    [Fact]
    public void The_event_stream_has_no_route_timeout_and_everything_else_the_ordinary_limits()
    {
        Assert.Null(Routes["images-events"].Timeout);
        Assert.Null(Routes["images-events"].TimeoutPolicy);
        Assert.All(GatewayRoutes.All.Where(r => r.Kind == RouteKind.Default), route =>
        {
            Assert.Equal(Defaults.RequestTimeout, Routes[route.Id].Timeout);
            Assert.Equal(Defaults.MaxRequestBodyBytes, Routes[route.Id].MaxRequestBodySize);
        });
    }

    [Theory]
    [InlineData("/api/images/{id}/complete", "/api/images")]
    [InlineData("/api/images", "/api/images")]
    [InlineData("/{**rest}", "")]
    public void A_routes_literal_prefix_stops_at_its_first_parameter(string path, string prefix) =>
        Assert.Equal(prefix, new GatewayRoute("r", path, "s", RateLimitPolicy.Anonymous).LiteralPrefix());
}
