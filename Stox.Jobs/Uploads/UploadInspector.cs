using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.Extensions.Options;
using Stox.Imaging;
using Stox.Jobs.Data;
using Stox.Jobs.Infrastructure;

namespace Stox.Jobs.Uploads;

/// <summary>What the first bytes of an upload say it is.</summary>
public sealed record InspectedImage(ImageFormat Format, string ContentType, string Extension, int? Width, int? Height)
{
    /// <summary>Records on <paramref name="image"/> what its stored original of <paramref name="bytes"/> bytes is.</summary>
    public void DescribeOriginal(Image image, long bytes)
    {
        image.ContentType = ContentType;
        image.OriginalBytes = bytes;
        image.OriginalFormat = Format.ToString().ToLowerInvariant();
        image.Width = Width;
        image.Height = Height;
        image.StoredBytes = bytes;
    }
}

/// <summary>
/// Decides from the first bytes (up to one S3 part) whether an upload is worth storing: the real type from its
/// magic bytes, whatever it is called, and the pixel count from its header, so a PNG bomb is refused before it
/// reaches storage. A format the imaging engine cannot decode (HEIC with a libvips build that has no HEVC decoder)
/// is refused here too, never accepted and then failed. What only a full decode can tell (a truncated file, a
/// corrupt tile) is left to processing, which fails the job with a readable message.
/// </summary>
public sealed class UploadInspector(IImageEngine engine, IOptions<JobsOptions> options)
{
    /// <param name="head">The first bytes of the file.</param>
    /// <param name="isWholeFile">True when <paramref name="head"/> is the whole file.</param>
    public InspectedImage Inspect(ReadOnlyMemory<byte> head, bool isWholeFile, string name, out ProblemHttpResult? problem)
    {
        problem = null;
        if (head.IsEmpty)
        {
            problem = Problems.EmptyFile(name);
            return null!;
        }

        if (FormatSniffer.Sniff(head.Span, out var detected) is not { } format)
        {
            problem = Problems.UnsupportedImage(name, detected);
            return null!;
        }

        if (!engine.CanDecode(format))
        {
            problem = Problems.UndecodableImage(name, FormatNames.Of(format).Name,
                FormatNames.List(FormatNames.Accepted.Where(engine.CanDecode)));
            return null!;
        }

        int? width = null, height = null;
        try
        {
            var info = engine.Probe(head);
            var (w, h) = info.OrientedSize;
            if ((long)info.Width * info.Height * Math.Max(1, info.Pages) > options.Value.MaxPixels)
            {
                problem = Problems.TooManyPixels(name, w, h, options.Value.MaxPixels);
                return null!;
            }

            width = w;
            height = h;
        }
        catch (ImageRejectedException ex) when (ex.Reason == ImageRejectionReason.TooManyPixels)
        {
            problem = Problems.TooManyPixels(name, ex.Message);
            return null!;
        }
        catch (Exception ex) when (isWholeFile && ex is ImageRejectedException or ImageProcessingException)
        {
            problem = Problems.CorruptImage(name, ex.Message);
            return null!;
        }
        catch (Exception ex) when (ex is ImageRejectedException or ImageProcessingException)
        {
            // Only part of the file is here (a header past the first part, as HEIC can have): processing decides.
        }

        var names = FormatNames.Of(format);
        return new InspectedImage(format, names.ContentType, names.Extension, width, height);
    }

    /// <summary>The extension for a content type a client announces for a pre-signed upload; null when not an accepted image type.</summary>
    public static string? ExtensionOfContentType(string? contentType) =>
        FormatNames.FromContentType(contentType) is { } format ? FormatNames.Of(format).Extension : null;
}
