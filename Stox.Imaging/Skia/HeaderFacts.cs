using System.Buffers.Binary;

namespace Stox.Imaging.Skia;

/// <summary>
/// What Skia's codecs do not report but the engine needs from a header: whether an ICC profile is embedded, the
/// JPEG's components (CMYK has 4), whether it is progressive (libjpeg then keeps every coefficient) and whether a
/// PNG is interlaced (decoded whole). Read from the first bytes, without decoding.
/// </summary>
internal readonly record struct HeaderFacts(bool HasIccProfile, int Components, bool Interlaced, bool ChromaSubsampled)
{
    public static HeaderFacts Of(ImageFormat format, ReadOnlySpan<byte> d) => format switch
    {
        ImageFormat.Jpeg => Jpeg(d),
        ImageFormat.Png => Png(d),
        ImageFormat.WebP => new(d.Length > 20 && d.Slice(12, 4).SequenceEqual("VP8X"u8) && (d[20] & 0x20) != 0, 3, false, true),
        _ => new(false, 3, false, false),
    };

    private static HeaderFacts Jpeg(ReadOnlySpan<byte> d)
    {
        var (icc, components, progressive, subsampled) = (false, 3, false, false);
        var i = 2;
        while (i + 4 <= d.Length)
        {
            if (d[i] != 0xFF)
            {
                break;
            }

            var marker = d[i + 1];
            if (marker == 0xFF)
            {
                i++; // fill byte
                continue;
            }

            if (marker is 0x01 or (>= 0xD0 and <= 0xD7))
            {
                i += 2;
                continue;
            }

            var length = BinaryPrimitives.ReadUInt16BigEndian(d[(i + 2)..]);
            var body = d.Slice(i + 4, Math.Max(0, Math.Min(length - 2, d.Length - i - 4)));
            if (marker == 0xE2 && body.StartsWith("ICC_PROFILE\0"u8))
            {
                icc = true;
            }
            else if (marker is >= 0xC0 and <= 0xCF and not 0xC4 and not 0xC8 and not 0xCC && body.Length >= 6)
            {
                progressive = marker is 0xC2 or 0xC6 or 0xCA or 0xCE;
                components = body[5];
                subsampled = body.Length >= 6 + (3 * components) && components >= 3 && body[7] != body[10];
            }
            else if (marker == 0xDA)
            {
                break; // start of scan: the header is over
            }

            i += 2 + length;
        }

        return new(icc, components, progressive, subsampled);
    }

    private static HeaderFacts Png(ReadOnlySpan<byte> d)
    {
        var interlaced = d.Length > 28 && d[28] == 1;
        var icc = false;
        var i = 8;
        while (i + 8 <= d.Length)
        {
            var length = BinaryPrimitives.ReadUInt32BigEndian(d[i..]);
            var type = d.Slice(i + 4, 4);
            if (type.SequenceEqual("iCCP"u8))
            {
                icc = true;
            }

            if (type.SequenceEqual("IDAT"u8) || length > int.MaxValue - 12)
            {
                break;
            }

            i += 12 + (int)length;
        }

        return new(icc, 3, interlaced, false);
    }

    /// <summary>
    /// True when a JPEG's scans hold a marker that cannot be there: a damaged entropy-coded segment. Skia decodes such
    /// a file without a word (the pixels after the damage come out grey or garbled), where libjpeg warns ("premature
    /// end of data segment", "extraneous bytes before marker") and libvips' <c>fail_on=warning</c> refuses it. Only
    /// markers are checked: damage that leaves every marker valid decodes, as it does in a browser.
    /// </summary>
    public static bool JpegLooksDamaged(ReadOnlySpan<byte> d)
    {
        var i = 2;
        var inScan = false;
        while (i + 1 < d.Length)
        {
            if (inScan)
            {
                var next = d[i..].IndexOf((byte)0xFF);
                if (next < 0)
                {
                    return false; // a cut-off file: truncation is checked on its own
                }

                i += next;
                if (i + 1 >= d.Length)
                {
                    return false;
                }

                var m = d[i + 1];
                if (m is 0x00 or (>= 0xD0 and <= 0xD7))
                {
                    i += 2; // stuffed byte, restart marker
                    continue;
                }

                if (m == 0xFF)
                {
                    i++;
                    continue;
                }

                inScan = false; // a marker ends the scan; what it is is checked below
                continue;
            }

            if (d[i] != 0xFF)
            {
                return true; // bytes where a marker must start
            }

            var marker = d[i + 1];
            if (marker == 0xFF)
            {
                i++;
                continue;
            }

            if (marker == 0xD9)
            {
                return false; // end of image
            }

            var between = marker is 0xC4 or 0xCC or 0xDA or 0xDB or 0xDC or 0xDD or 0xFE or (>= 0xE0 and <= 0xEF)
                || marker is >= 0xC0 and <= 0xCF;
            if (!between || i + 4 > d.Length)
            {
                return between ? false : true;
            }

            i += 2 + BinaryPrimitives.ReadUInt16BigEndian(d[(i + 2)..]);
            inScan = marker == 0xDA;
        }

        return false;
    }
}
