using Microsoft.Extensions.Options;
using Stox.Imaging;
using Stox.Jobs;
using Stox.Jobs.Uploads;
using Stox.Tests.Imaging;

namespace Stox.Tests.Jobs;

/// <summary>What the upload check refuses before anything is stored, without a server.</summary>
public sealed class UploadInspectorTests
{
    [Fact]
    public async Task A_format_the_imaging_engine_cannot_decode_is_refused_at_upload()
    {
        var decodable = FormatNames.Accepted.Where(f => f != ImageFormat.Heic).ToHashSet();
        var inspector = new UploadInspector(new VipsImageEngine(new ImagingOptions(), decodable), Options.Create(new JobsOptions()));
        var heic = await File.ReadAllBytesAsync(TestImages.CorpusPath("photo.heic"));

        inspector.Inspect(heic, isWholeFile: false, "IMG_0001.HEIC", out var problem);

        Assert.NotNull(problem);
        Assert.Equal(415, problem!.StatusCode);
        Assert.Equal("The file 'IMG_0001.HEIC' is a HEIC image, which this server cannot decode. Supported here: JPEG, PNG, WebP, GIF, AVIF, TIFF.",
            problem.ProblemDetails.Detail);
    }

    [Fact]
    public async Task The_same_heic_is_taken_when_the_engine_decodes_it()
    {
        var inspector = new UploadInspector(new VipsImageEngine(), Options.Create(new JobsOptions()));
        var heic = await File.ReadAllBytesAsync(TestImages.CorpusPath("photo.heic"));

        var inspected = inspector.Inspect(heic, isWholeFile: true, "IMG_0001.HEIC", out var problem);

        Assert.Null(problem);
        Assert.Equal(("image/heic", "heic"), (inspected.ContentType, inspected.Extension));
    }
}
