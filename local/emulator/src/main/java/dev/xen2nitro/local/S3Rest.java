package dev.xen2nitro.local;

import com.sun.net.httpserver.HttpExchange;
import dev.xen2nitro.local.cloud.Cloud;
import dev.xen2nitro.local.wire.QueryCodec;
import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Map;
import java.util.Optional;

/**
 * S3 for the driver packages: GetObject, PutObject, HeadObject and ListObjectsV2 on the buckets of
 * the world, path-style or virtual-hosted, with S3's REST XML and error codes.
 */
final class S3Rest {
    private final Cloud cloud;

    S3Rest(Cloud cloud) {
        this.cloud = cloud;
    }

    void handle(HttpExchange ex, byte[] body, dev.xen2nitro.local.iam.AccessControl access, dev.xen2nitro.local.iam.Principal principal)
            throws IOException {
        String host = Optional.ofNullable(ex.getRequestHeaders().getFirst("Host")).orElse("");
        String path = URLDecoder.decode(ex.getRequestURI().getRawPath(), StandardCharsets.UTF_8);
        String bucket;
        String key;
        int dot = host.indexOf(".127.0.0.1") > 0 ? host.indexOf(".127.0.0.1") : host.indexOf(".localhost");
        if (dot > 0) {
            bucket = host.substring(0, dot);
            key = path.length() > 1 ? path.substring(1) : "";
        } else {
            String p = path.startsWith("/") ? path.substring(1) : path;
            int slash = p.indexOf('/');
            bucket = slash < 0 ? p : p.substring(0, slash);
            key = slash < 0 ? "" : p.substring(slash + 1);
        }
        String method = ex.getRequestMethod();
        synchronized (cloud) {
            // Service Authorization Reference, Amazon S3: GetObject (also for HEAD) and PutObject on the object,
            // ListBucket on the bucket.
            String action = key.isEmpty() ? "ListBucket" : "PUT".equals(method) ? "PutObject" : "GetObject";
            try {
                access.authorize(principal, java.util.List.of(key.isEmpty()
                        ? new dev.xen2nitro.local.cloud.Authorizations.Target("s3:ListBucket", "arn:aws:s3:::" + bucket, Map.of())
                        : dev.xen2nitro.local.cloud.Authorizations.s3Object(action, bucket, key)), "s3");
            } catch (dev.xen2nitro.local.wire.AwsError e) {
                cloud.recordCall("s3", action, e.code());
                error(ex, e.status(), e.code(), e.getMessage(), key.isEmpty() ? bucket : key);
                return;
            }
            Map<String, byte[]> objects = cloud.buckets.get(bucket);
            if (objects == null) {
                error(ex, 404, "NoSuchBucket", "The specified bucket does not exist", bucket);
                cloud.recordCall("s3", method + "Bucket", "NoSuchBucket");
                return;
            }
            if (key.isEmpty() && "GET".equals(method)) {
                String query = Optional.ofNullable(ex.getRequestURI().getQuery()).orElse("");
                String prefix = "";
                for (String part : query.split("&")) {
                    if (part.startsWith("prefix=")) prefix = URLDecoder.decode(part.substring(7), StandardCharsets.UTF_8);
                }
                StringBuilder sb = new StringBuilder("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<ListBucketResult xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Name>")
                        .append(bucket).append("</Name><Prefix>").append(QueryCodec.escape(prefix)).append("</Prefix><IsTruncated>false</IsTruncated>");
                int count = 0;
                for (Map.Entry<String, byte[]> e : objects.entrySet()) {
                    if (!e.getKey().startsWith(prefix)) continue;
                    count++;
                    sb.append("<Contents><Key>").append(QueryCodec.escape(e.getKey())).append("</Key><Size>").append(e.getValue().length)
                            .append("</Size><ETag>&quot;").append(md5(e.getValue())).append("&quot;</ETag><StorageClass>STANDARD</StorageClass></Contents>");
                }
                sb.append("<KeyCount>").append(count).append("</KeyCount></ListBucketResult>");
                cloud.recordCall("s3", "ListObjectsV2", null);
                Emulator.send(ex, 200, "application/xml", sb.toString().getBytes(StandardCharsets.UTF_8), Map.of());
                return;
            }
            switch (method) {
                case "PUT" -> {
                    String sha = Optional.ofNullable(ex.getRequestHeaders().getFirst("x-amz-content-sha256")).orElse("");
                    if (sha.startsWith("STREAMING-")) {
                        body = dechunk(body);
                    }
                    objects.put(key, body);
                    cloud.recordCall("s3", "PutObject", null);
                    Emulator.send(ex, 200, "application/xml", new byte[0], Map.of("ETag", "\"" + md5(body) + "\""));
                }
                case "GET", "HEAD" -> {
                    byte[] data = objects.get(key);
                    if (data == null) {
                        cloud.recordCall("s3", "GetObject", "NoSuchKey");
                        error(ex, 404, "NoSuchKey", "The specified key does not exist.", key);
                        return;
                    }
                    cloud.recordCall("s3", "GET".equals(method) ? "GetObject" : "HeadObject", null);
                    Emulator.send(ex, 200, "application/octet-stream", data, Map.of("ETag", "\"" + md5(data) + "\""));
                }
                default -> error(ex, 405, "MethodNotAllowed", "The specified method is not allowed against this resource.", key);
            }
        }
    }

    /** The aws-chunked body of a streaming SigV4 upload: "hex-size;chunk-signature=...\r\n" data "\r\n", ending with size 0. */
    static byte[] dechunk(byte[] body) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        int i = 0;
        while (i < body.length) {
            int lineEnd = i;
            while (lineEnd + 1 < body.length && !(body[lineEnd] == '\r' && body[lineEnd + 1] == '\n')) lineEnd++;
            String header = new String(body, i, lineEnd - i, StandardCharsets.US_ASCII);
            int semi = header.indexOf(';');
            int size = Integer.parseInt((semi < 0 ? header : header.substring(0, semi)).trim(), 16);
            if (size == 0) break;
            out.write(body, lineEnd + 2, size);
            i = lineEnd + 2 + size + 2;
        }
        return out.toByteArray();
    }

    private static void error(HttpExchange ex, int status, String code, String message, String resource) throws IOException {
        String xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>" + code + "</Code><Message>" + message
                + "</Message><Resource>" + QueryCodec.escape(resource) + "</Resource><RequestId>local</RequestId></Error>";
        Emulator.send(ex, status, "application/xml", xml.getBytes(StandardCharsets.UTF_8), Map.of());
    }

    private static String md5(byte[] data) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("MD5").digest(data));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
