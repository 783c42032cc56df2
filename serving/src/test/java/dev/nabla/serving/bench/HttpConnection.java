package dev.nabla.serving.bench;

import java.io.BufferedInputStream;
import java.io.BufferedOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.charset.StandardCharsets;

/**
 * One keep-alive HTTP/1.1 connection sending one prepared request over and over: as little client work per request
 * as possible, so that a load generator on the server's machine takes little of its CPU.
 */
final class HttpConnection implements AutoCloseable {
    private final InetSocketAddress address;
    private final byte[] request;
    private Socket socket;
    private OutputStream out;
    private InputStream in;
    private final byte[] line = new byte[8192];
    private byte[] body = new byte[1 << 16];

    HttpConnection(String host, int port, String method, String path, byte[] payload, String contentType) {
        this.address = new InetSocketAddress(host, port);
        String head = method + " " + path + " HTTP/1.1\r\nHost: " + host + ":" + port + "\r\n"
                + (payload == null ? "" : "Content-Type: " + contentType + "\r\nContent-Length: " + payload.length
                + "\r\n") + "\r\n";
        byte[] h = head.getBytes(StandardCharsets.US_ASCII);
        int n = payload == null ? 0 : payload.length;
        request = new byte[h.length + n];
        System.arraycopy(h, 0, request, 0, h.length);
        if (payload != null) {
            System.arraycopy(payload, 0, request, h.length, n);
        }
    }

    /** Sends the request and reads the whole response; returns its status. */
    int send() throws IOException {
        if (socket == null) {
            Socket s = new Socket();
            try {
                s.setTcpNoDelay(true);
                s.connect(address, 5000);
            } catch (IOException e) {
                s.close();
                throw e;
            }
            socket = s;
            out = new BufferedOutputStream(socket.getOutputStream(), 1 << 16);
            in = new BufferedInputStream(socket.getInputStream(), 1 << 16);
        }
        try {
            out.write(request);
            out.flush();
            return readResponse();
        } catch (IOException e) {
            close();
            throw e;
        }
    }

    /** The last response's body length. */
    private int lastBodyLength;

    byte[] lastBody() {
        return java.util.Arrays.copyOf(body, lastBodyLength);
    }

    private int readResponse() throws IOException {
        String status = readLine();
        int code = Integer.parseInt(status.substring(9, 12));
        int length = -1;
        boolean close = false;
        for (String header; !(header = readLine()).isEmpty(); ) {
            int colon = header.indexOf(':');
            if (colon < 0) {
                continue;
            }
            String name = header.substring(0, colon).trim();
            String value = header.substring(colon + 1).trim();
            if (name.equalsIgnoreCase("Content-Length")) {
                length = Integer.parseInt(value);
            } else if (name.equalsIgnoreCase("Connection") && value.equalsIgnoreCase("close")) {
                close = true;
            }
        }
        if (length < 0) {
            throw new IOException("response without Content-Length");
        }
        if (body.length < length) {
            body = new byte[length];
        }
        int read = in.readNBytes(body, 0, length);
        if (read < length) {
            throw new EOFException("response body cut short");
        }
        lastBodyLength = length;
        if (close) {
            close();
        }
        return code;
    }

    private String readLine() throws IOException {
        int n = 0;
        while (true) {
            int b = in.read();
            if (b < 0) {
                throw new EOFException("connection closed");
            }
            if (b == '\n') {
                break;
            }
            if (b != '\r' && n < line.length) {
                line[n++] = (byte) b;
            }
        }
        return new String(line, 0, n, StandardCharsets.US_ASCII);
    }

    @Override
    public void close() {
        if (socket != null) {
            try {
                socket.close();
            } catch (IOException e) {
                // closing anyway
            }
            socket = null;
        }
    }
}
