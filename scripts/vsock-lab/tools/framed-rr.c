/* framed-rr: a small request/response client and server over AF_VSOCK that is not vsockbench,
 * for observe's ground-truth test in the vsock lab (jobs/observe.sh). Messages are framed with
 * a 4-byte big-endian length; each frame goes out in one write.
 *
 *   framed-rr server PORT RESPONSE_BYTES DELAY_US
 *       accepts one connection; for every request frame: sleeps DELAY_US, answers a frame of
 *       RESPONSE_BYTES; exits at the client's EOF
 *   framed-rr client CID PORT COUNT REQUEST_BYTES THINK_US
 *       COUNT exchanges: writes a frame of REQUEST_BYTES, reads the whole answer, sleeps
 *       THINK_US; prints what it did and measured (key value lines): the ground truth
 *   framed-rr seqpacket-echo PORT
 *       SOCK_SEQPACKET, no framing: accepts one connection and sends every packet back as
 *       one packet; at the client's EOF prints the packets and bytes it echoed (replay over
 *       vsock+seqpacket, jobs/observe.sh)
 *
 * Build: cc -static -O2 -o framed-rr framed-rr.c (the lab guest has no libc of its own).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/vm_sockets.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

static uint64_t now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000000000ull + (uint64_t)t.tv_nsec;
}

static void pause_us(long us)
{
	struct timespec t = { us / 1000000, (us % 1000000) * 1000 };

	while (us > 0 && nanosleep(&t, &t) != 0 && errno == EINTR)
		;
}

static int full_read(int fd, void *buffer, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t got = read(fd, (char *)buffer + done, size - done);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			return -1;
		done += (size_t)got;
	}
	return 0;
}

static int full_write(int fd, const void *buffer, size_t size)
{
	size_t done = 0;

	while (done < size) {
		ssize_t put = write(fd, (const char *)buffer + done, size - done);
		if (put < 0 && errno == EINTR)
			continue;
		if (put <= 0)
			return -1;
		done += (size_t)put;
	}
	return 0;
}

/* One frame: the length prefix and the payload in one buffer, so one write. */
static char *make_frame(uint32_t payload)
{
	char *frame = malloc(4 + (size_t)payload);
	uint32_t length = htonl(payload);

	if (!frame)
		exit(3);
	memcpy(frame, &length, 4);
	memset(frame + 4, 'x', payload);
	return frame;
}

static int read_frame(int fd, char *buffer, uint32_t capacity)
{
	uint32_t length;

	if (full_read(fd, &length, 4) != 0)
		return -1;
	length = ntohl(length);
	if (length > capacity)
		return -2;
	return full_read(fd, buffer, length) == 0 ? (int)length : -1;
}

static int compare(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int server(unsigned port, uint32_t response, long delay_us)
{
	struct sockaddr_vm address = { .svm_family = AF_VSOCK, .svm_port = port, .svm_cid = VMADDR_CID_ANY };
	int listener = socket(AF_VSOCK, SOCK_STREAM, 0);
	char *request = malloc(1 << 20);
	char *frame = make_frame(response);
	unsigned long answered = 0;

	if (listener < 0 || !request || bind(listener, (struct sockaddr *)&address, sizeof(address)) != 0 ||
	    listen(listener, 1) != 0) {
		perror("framed-rr server");
		return 2;
	}
	printf("listening %u\n", port);
	fflush(stdout);
	int fd = accept(listener, NULL, NULL);
	if (fd < 0) {
		perror("accept");
		return 2;
	}
	for (;;) {
		int got = read_frame(fd, request, 1 << 20);
		if (got < 0)
			break;
		pause_us(delay_us);
		if (full_write(fd, frame, 4 + (size_t)response) != 0)
			break;
		answered++;
	}
	printf("answered %lu\n", answered);
	close(fd);
	close(listener);
	return 0;
}

static int seqpacket_echo(unsigned port)
{
	struct sockaddr_vm address = { .svm_family = AF_VSOCK, .svm_port = port, .svm_cid = VMADDR_CID_ANY };
	int listener = socket(AF_VSOCK, SOCK_SEQPACKET, 0);
	char *packet = malloc(1 << 20);
	unsigned long echoed = 0, bytes = 0, truncated = 0;

	if (listener < 0 || !packet || bind(listener, (struct sockaddr *)&address, sizeof(address)) != 0 ||
	    listen(listener, 1) != 0) {
		perror("framed-rr seqpacket-echo");
		return 2;
	}
	printf("listening %u\n", port);
	fflush(stdout);
	int fd = accept(listener, NULL, NULL);
	if (fd < 0) {
		perror("accept");
		return 2;
	}
	for (;;) {
		struct iovec part = { packet, 1 << 20 };
		struct msghdr message = { .msg_iov = &part, .msg_iovlen = 1 };
		ssize_t got = recvmsg(fd, &message, 0);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			break;
		if (message.msg_flags & MSG_TRUNC) {
			truncated++;
			break;
		}
		if (send(fd, packet, (size_t)got, 0) != got)
			break;
		echoed++;
		bytes += (unsigned long)got;
	}
	printf("echoed_packets %lu\n", echoed);
	printf("echoed_bytes %lu\n", bytes);
	printf("truncated %lu\n", truncated);
	close(fd);
	close(listener);
	return truncated ? 1 : 0;
}

static int client(unsigned cid, unsigned port, long count, uint32_t request, long think_us)
{
	struct sockaddr_vm address = { .svm_family = AF_VSOCK, .svm_port = port, .svm_cid = cid };
	int fd = socket(AF_VSOCK, SOCK_STREAM, 0);
	char *frame = make_frame(request);
	char *answer = malloc(1 << 20);
	uint64_t *latency = calloc((size_t)count, sizeof(uint64_t));
	uint64_t *think = calloc((size_t)count, sizeof(uint64_t));
	uint64_t response_bytes = 0, start, last_answer = 0;
	long done;

	if (fd < 0 || !answer || !latency || !think || connect(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
		perror("framed-rr client");
		return 2;
	}
	start = now_ns();
	for (done = 0; done < count; done++) {
		uint64_t sent = now_ns();

		if (done > 0)
			think[done] = sent - last_answer;
		if (full_write(fd, frame, 4 + (size_t)request) != 0)
			break;
		int got = read_frame(fd, answer, 1 << 20);
		if (got < 0)
			break;
		last_answer = now_ns();
		latency[done] = last_answer - sent;
		response_bytes = 4 + (uint64_t)got;
		pause_us(think_us);
	}
	uint64_t elapsed = now_ns() - start;
	close(fd);
	qsort(latency, (size_t)done, sizeof(uint64_t), compare);
	qsort(think + 1, done > 1 ? (size_t)done - 1 : 0, sizeof(uint64_t), compare);
	printf("exchanges %ld\n", done);
	printf("request_frame_bytes %u\n", 4 + request);
	printf("response_frame_bytes %llu\n", (unsigned long long)response_bytes);
	printf("latency_us_p50 %.1f\n", done ? latency[done / 2] / 1000.0 : 0);
	printf("think_us_p50 %.1f\n", done > 1 ? think[1 + (done - 1) / 2] / 1000.0 : 0);
	printf("think_us_asked %ld\n", think_us);
	printf("elapsed_s %.3f\n", elapsed / 1e9);
	return done == count ? 0 : 1;
}

int main(int argc, char **argv)
{
	if (argc == 5 && strcmp(argv[1], "server") == 0)
		return server((unsigned)atol(argv[2]), (uint32_t)atol(argv[3]), atol(argv[4]));
	if (argc == 7 && strcmp(argv[1], "client") == 0)
		return client((unsigned)atol(argv[2]), (unsigned)atol(argv[3]), atol(argv[4]), (uint32_t)atol(argv[5]), atol(argv[6]));
	if (argc == 3 && strcmp(argv[1], "seqpacket-echo") == 0)
		return seqpacket_echo((unsigned)atol(argv[2]));
	fprintf(stderr, "usage: framed-rr server PORT RESPONSE_BYTES DELAY_US\n"
			"       framed-rr client CID PORT COUNT REQUEST_BYTES THINK_US\n"
			"       framed-rr seqpacket-echo PORT\n");
	return 64;
}
