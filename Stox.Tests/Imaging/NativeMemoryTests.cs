using Stox.Imaging;

namespace Stox.Tests.Imaging;

/// <summary>
/// Checks of native image memory (libvips' tracked memory and the engine's pixel buffers), counted for the whole process: they run alone, after every other
/// test, so no other test's images are counted with theirs.
/// </summary>
[Collection(NativeMemoryCollection.Name)]
public sealed class NativeMemoryTests
{
    private static readonly VipsImageEngine Engine = new();

    [Fact]
    public async Task No_native_memory_grows_across_1000_jobs()
    {
        using var photo = TestImages.Photo(64, 48);
        var good = TestImages.WithExif(TestImages.Jpeg(photo), 6);
        var webp = photo.SaveAs("webpsave_buffer"); // decoded by WebpDecoder, not libvips' loader
        var bad = good[..(good.Length / 2)];
        var spec = ImageJobSpec.Default with { Enhance = false };

        async Task Run(int n)
        {
            for (var i = 0; i < n; i++)
            {
                if (i % 10 == 9)
                {
                    await Assert.ThrowsAsync<ImageRejectedException>(() => Engine.ProcessAsync(bad, spec));
                }
                else
                {
                    await Engine.ProcessAsync(i % 10 == 4 ? webp : good, i % 100 == 0 ? spec with { Enhance = true } : spec);
                }
            }
        }

        await Run(50);
        var before = NativeMemoryStats.Current;
        await Run(1000);
        var after = NativeMemoryStats.Current;

        Assert.True(after.Bytes - before.Bytes < 256 * 1024, $"tracked bytes grew {before.Bytes} -> {after.Bytes}");
        Assert.True(after.Allocations - before.Allocations < 16, $"tracked allocations grew {before.Allocations} -> {after.Allocations}");
        Assert.Equal(before.OpenFiles, after.OpenFiles);
        // The decoded images and sizes live in buffers of the engine's own, which libvips does not count.
        Assert.True(after.PixelBuffers - before.PixelBuffers < 4, $"pixel buffers grew {before.PixelBuffers} -> {after.PixelBuffers}");
        Assert.True(after.PixelBufferBytes - before.PixelBufferBytes < 256 * 1024,
            $"pixel buffer bytes grew {before.PixelBufferBytes} -> {after.PixelBufferBytes}");
    }

    [Fact]
    public async Task Png_bomb_is_refused_before_any_decoding()
    {
        var bomb = TestImages.PngBomb(100_000, 100_000);
        Assert.True(bomb.Length < 10_000, "the bomb is a tiny file");
        var before = NativeMemoryStats.Current;

        var e = await RejectionTests.Rejected(TestEngines.Vips, bomb);

        Assert.Equal(ImageRejectionReason.TooManyPixels, e.Reason);
        Assert.Contains("100000x100000", e.Message, StringComparison.Ordinal);
        var after = NativeMemoryStats.Current;
        Assert.True(after.HighWater - before.HighWater < 64L * 1024 * 1024, "the bomb allocated pixel memory");
    }
}

[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NativeMemoryCollection
{
    public const string Name = "Native memory";
}
