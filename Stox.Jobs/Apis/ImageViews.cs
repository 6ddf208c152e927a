using Stox.Jobs.Data;
using Stox.Jobs.Delivery;
using Stox.Messaging.Contracts;

namespace Stox.Jobs.Apis;

/// <summary>Turns rows into the API's shapes, with delivery URLs.</summary>
public static class ImageViews
{
    public static UploadResponse Upload(Image image) => new(
        image.Id,
        image.CurrentJobId ?? Guid.Empty,
        image.Status,
        image.OriginalName,
        $"/api/images/{image.Id}/status",
        "/api/images/events");

    public static ImageListItem ListItem(Image image, DeliveryUrls urls)
    {
        var thumbnails = image.Status == ImageStatus.Complete
            ? image.Variants.Where(v => v.Preset == "thumbnail").ToDictionary(v => v.Format, v => urls.Download(v.Key))
            : new Dictionary<string, string>();
        return new ImageListItem(
            image.Id,
            image.OriginalName,
            image.Status,
            image.CreatedAt,
            image.Width,
            image.Height,
            thumbnails.GetValueOrDefault(ImageFormats.Jpeg) ?? thumbnails.Values.FirstOrDefault(),
            thumbnails,
            image.Placeholder,
            image.DominantColor,
            image.GenerationId);
    }

    public static ImageDetail Detail(Image image, ImageJob? job, Generation? generation, DeliveryUrls urls) => new(
        image.Id,
        image.OriginalName,
        image.Status,
        image.Error,
        image.Progress,
        image.CreatedAt,
        image.Enhance,
        image.Formats,
        new OriginalInfo(image.Width, image.Height, image.OriginalFormat, image.OriginalBytes, image.ContentType),
        Variants(image.Variants, urls),
        image.Enhanced.Count > 0 ? Variants(image.Enhanced, urls) : null,
        image.Placeholder,
        image.DominantColor,
        new ImageTimings(job?.QueuedAt, job?.StartedAt, job?.FinishedAt),
        job is null ? null : new JobInfo(job.Id, job.Status, job.Attempts, job.Worker, job.Stage),
        generation is null ? null : new ImageGenerationInfo(
            generation.Id, generation.Prompt, generation.NegativePrompt, generation.Style, generation.AspectRatio,
            generation.Provider, generation.Model, image.Seed, generation.CreatedAt));

    private static IReadOnlyDictionary<string, IReadOnlyDictionary<string, VariantInfo>> Variants(IEnumerable<StoredVariant> variants, DeliveryUrls urls) =>
        variants
            .GroupBy(v => v.Preset)
            .ToDictionary(
                g => g.Key,
                g => (IReadOnlyDictionary<string, VariantInfo>)g.ToDictionary(v => v.Format, v => new VariantInfo(urls.Download(v.Key), v.Width, v.Height, v.Bytes)));
}
