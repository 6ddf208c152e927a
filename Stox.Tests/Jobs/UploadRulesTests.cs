using Stox.Jobs.Data;
using Stox.Jobs.Delivery;
using Stox.Jobs.Uploads;

namespace Stox.Tests.Jobs;

/// <summary>The small rules of uploads and delivery, without a server.</summary>
public sealed class UploadRulesTests
{
    [Theory]
    [InlineData(null, "jpeg,webp")]
    [InlineData("", "jpeg,webp")]
    [InlineData("avif", "jpeg,avif")]
    [InlineData("WEBP, jpg ,avif", "jpeg,webp,avif")]
    [InlineData("webp,webp", "jpeg,webp")]
    public void Formats_always_include_jpeg_and_come_in_a_fixed_order(string? value, string expected)
    {
        Assert.True(UploadFields.TryParseFormats(value, out var formats, out _));
        Assert.Equal(expected, string.Join(',', formats));
    }

    [Theory]
    [InlineData("gif")]
    [InlineData("jpeg,png")]
    public void Unknown_formats_are_refused_by_name(string value)
    {
        Assert.False(UploadFields.TryParseFormats(value, out _, out var error));
        Assert.Contains("is not an output format", error, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("../../etc/passwd", "passwd")]
    [InlineData("C:\\Users\\me\\photo.jpg", "photo.jpg")]
    [InlineData("bad\u0000\u001fname.png", "badname.png")]
    [InlineData("   ", "image")]
    [InlineData(null, "image")]
    public void File_names_lose_paths_and_control_characters(string? name, string expected) =>
        Assert.Equal(expected, UploadFields.CleanFileName(name));

    [Fact]
    public void Long_file_names_are_cut_to_255_characters() =>
        Assert.Equal(255, UploadFields.CleanFileName(new string('a', 400) + ".jpg").Length);

    [Theory]
    [InlineData("image/avif,image/webp,image/apng,image/*,*/*;q=0.8", "avif")]
    [InlineData("image/webp,*/*", "webp")]
    [InlineData("image/avif;q=0, image/webp", "webp")]
    [InlineData("*/*", "jpeg")]
    [InlineData(null, "jpeg")]
    public void Content_negotiation_prefers_avif_then_webp_then_jpeg(string? accept, string expected)
    {
        StoredVariant V(string format) => new("small", format, 480, 320, 1000, "image/" + format, "k." + format);
        Assert.Equal(expected, ContentNegotiation.Choose([V("jpeg"), V("webp"), V("avif")], accept)!.Format);
    }

    [Fact]
    public void Without_the_preferred_format_the_next_one_is_given()
    {
        StoredVariant V(string format) => new("small", format, 480, 320, 1000, "image/" + format, "k." + format);
        Assert.Equal("jpeg", ContentNegotiation.Choose([V("jpeg")], "image/avif,image/webp")!.Format);
    }
}
