using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Stox.Imaging.Native;

/// <summary>
/// libwebp's advanced encoding API and its simple decoding one (Debian's <c>libwebp.so.7</c>, the library libvips
/// itself links). The structs mirror <c>webp/encode.h</c> of encoder ABI 2.x and <c>webp/decode.h</c> of decoder
/// ABI 2.x (libwebp 1.2.x and later); the init and feature calls refuse any other major ABI, so a mismatch fails
/// loudly instead of corrupting memory.
/// </summary>
internal static unsafe partial class LibWebP
{
    public const string Library = "libwebp.so.7";

    /// <summary>WEBP_ENCODER_ABI_VERSION of libwebp 1.2.4: the layouts below are that version's.</summary>
    public const int EncoderAbiVersion = 0x020f;

    /// <summary>VP8_ENC_ERROR_USER_ABORT: the progress hook asked to stop.</summary>
    public const int ErrorUserAbort = 10;

    /// <summary>WEBP_DECODER_ABI_VERSION of libwebp 1.2.4: <see cref="WebPBitstreamFeatures"/> is that version's.</summary>
    public const int DecoderAbiVersion = 0x0209;

    /// <summary>VP8_STATUS_INVALID_PARAM: also what an incompatible decoder ABI gets.</summary>
    public const int StatusInvalidParam = 2;

    [LibraryImport(Library)]
    public static partial int WebPGetEncoderVersion();

    [LibraryImport(Library)]
    public static partial int WebPGetFeaturesInternal(byte* data, nuint size, WebPBitstreamFeatures* features, int version);

    [LibraryImport(Library)]
    public static partial byte* WebPDecodeRGBInto(byte* data, nuint size, byte* output, nuint outputSize, int stride);

    [LibraryImport(Library)]
    public static partial byte* WebPDecodeRGBAInto(byte* data, nuint size, byte* output, nuint outputSize, int stride);

    [LibraryImport(Library)]
    public static partial int WebPConfigInitInternal(WebPConfig* config, int preset, float quality, int version);

    [LibraryImport(Library)]
    public static partial int WebPValidateConfig(WebPConfig* config);

    [LibraryImport(Library)]
    public static partial int WebPPictureInitInternal(WebPPicture* picture, int version);

    [LibraryImport(Library)]
    public static partial int WebPPictureImportRGB(WebPPicture* picture, byte* rgb, int stride);

    [LibraryImport(Library)]
    public static partial int WebPPictureImportRGBA(WebPPicture* picture, byte* rgba, int stride);

    [LibraryImport(Library)]
    public static partial void WebPPictureFree(WebPPicture* picture);

    [LibraryImport(Library)]
    public static partial int WebPEncode(WebPConfig* config, WebPPicture* picture);

    [LibraryImport(Library)]
    public static partial void WebPMemoryWriterInit(WebPMemoryWriter* writer);

    [LibraryImport(Library)]
    public static partial void WebPMemoryWriterClear(WebPMemoryWriter* writer);

    /// <summary>libwebp's own writer into a <see cref="WebPMemoryWriter"/>, for <see cref="WebPPicture.Writer"/>.</summary>
    public static nint MemoryWrite => MemoryWriteExport.Value;

    private static readonly Lazy<nint> MemoryWriteExport = new(() =>
        NativeLibrary.GetExport(NativeLibrary.Load(Library), "WebPMemoryWrite"));

    [StructLayout(LayoutKind.Sequential)]
    public struct WebPBitstreamFeatures
    {
        public int Width;
        public int Height;
        public int HasAlpha;
        public int HasAnimation;

        /// <summary>0 mixed (animations), 1 lossy, 2 lossless.</summary>
        public int Format;

        public fixed uint Pad[5];
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct WebPConfig
    {
        public int Lossless;
        public float Quality;
        public int Method;
        public int ImageHint;
        public int TargetSize;
        public float TargetPsnr;
        public int Segments;
        public int SnsStrength;
        public int FilterStrength;
        public int FilterSharpness;
        public int FilterType;
        public int Autofilter;
        public int AlphaCompression;
        public int AlphaFiltering;
        public int AlphaQuality;
        public int Pass;
        public int ShowCompressed;
        public int Preprocessing;
        public int Partitions;
        public int PartitionLimit;
        public int EmulateJpegSize;
        public int ThreadLevel;
        public int LowMemory;
        public int NearLossless;
        public int Exact;
        public int UseDeltaPalette;
        public int UseSharpYuv;
        public int Qmin;
        public int Qmax;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct WebPPicture
    {
        public int UseArgb;
        public int Colorspace;
        public int Width;
        public int Height;
        public byte* Y;
        public byte* U;
        public byte* V;
        public int YStride;
        public int UvStride;
        public byte* A;
        public int AStride;
        public fixed uint Pad1[2];
        public uint* Argb;
        public int ArgbStride;
        public fixed uint Pad2[3];
        public nint Writer;
        public void* CustomPtr;
        public int ExtraInfoType;
        public byte* ExtraInfo;
        public void* Stats;
        public int ErrorCode;
        public delegate* unmanaged[Cdecl]<int, WebPPicture*, int> ProgressHook;
        public void* UserData;
        public fixed uint Pad3[3];
        public byte* Pad4;
        public byte* Pad5;
        public fixed uint Pad6[8];
        public void* Memory;
        public void* MemoryArgb;
        public void* Pad7A;
        public void* Pad7B;
    }

    [StructLayout(LayoutKind.Sequential)]
    public struct WebPMemoryWriter
    {
        public byte* Mem;
        public nuint Size;
        public nuint MaxSize;
        public uint Pad;
    }

    /// <summary>The sizes of encode.h on x86-64 and arm64, checked by the tests.</summary>
    public static (int Config, int Picture, int Writer) Sizes =>
        (Unsafe.SizeOf<WebPConfig>(), Unsafe.SizeOf<WebPPicture>(), Unsafe.SizeOf<WebPMemoryWriter>());
}
