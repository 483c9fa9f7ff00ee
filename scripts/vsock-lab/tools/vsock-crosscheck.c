/* vsock-crosscheck: the kernel's own views of vsock traffic, to check what `vsockbench observe`
 * counts with eBPF against (jobs/observe.sh, in the vsock lab guest):
 *
 *   vsock-crosscheck mon PORT OUT
 *       creates the capture device vsockmon0 (type vsockmon, over rtnetlink), reads it with an
 *       AF_PACKET socket until SIGTERM or SIGINT, then writes to OUT one line per direction and
 *       op of the packets from or to PORT: "to_port RW 200 60800" (direction, op, packets,
 *       payload bytes from the virtio header), plus "dropped N" (the socket's own drops)
 *       and deletes the device. Prints "ready" once capturing.
 *   vsock-crosscheck diag PORT
 *       lists the connected vsock sockets from or to PORT (vsock_diag, what `ss --vsock`
 *       reads): "socket LOCAL_CID:LOCAL_PORT REMOTE_CID:REMOTE_PORT STATE"
 *
 * Build: cc -static -O2 -o vsock-crosscheck vsock-crosscheck.c
 */
#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_packet.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <linux/virtio_vsock.h>
#include <linux/vm_sockets_diag.h>
#include <linux/vsockmon.h>
#include <net/if.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#ifndef AF_VSOCK
#define AF_VSOCK 40
#endif

static volatile sig_atomic_t stop;
static void on_signal(int signal) { (void)signal; stop = 1; }

static void add_attr(struct nlmsghdr *message, int type, const void *data, int length)
{
	struct rtattr *attr = (struct rtattr *)((char *)message + NLMSG_ALIGN(message->nlmsg_len));

	attr->rta_type = type;
	attr->rta_len = RTA_LENGTH(length);
	if (length)
		memcpy(RTA_DATA(attr), data, length);
	message->nlmsg_len = NLMSG_ALIGN(message->nlmsg_len) + RTA_ALIGN(attr->rta_len);
}

/* RTM_NEWLINK (create, up) or RTM_DELLINK for vsockmon0; 0 or an errno. */
static int link_request(int type)
{
	struct {
		struct nlmsghdr header;
		struct ifinfomsg info;
		char attrs[256];
	} request;
	char answer[4096];
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_ROUTE);

	if (fd < 0)
		return errno;
	memset(&request, 0, sizeof(request));
	request.header.nlmsg_len = NLMSG_LENGTH(sizeof(struct ifinfomsg));
	request.header.nlmsg_type = type;
	request.header.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | (type == RTM_NEWLINK ? NLM_F_CREATE | NLM_F_EXCL : 0);
	request.info.ifi_family = AF_UNSPEC;
	if (type == RTM_NEWLINK) {
		request.info.ifi_flags = IFF_UP;
		request.info.ifi_change = IFF_UP;
	}
	add_attr(&request.header, IFLA_IFNAME, "vsockmon0", 10);
	if (type == RTM_NEWLINK) {
		struct rtattr *info = (struct rtattr *)((char *)&request + NLMSG_ALIGN(request.header.nlmsg_len));
		add_attr(&request.header, IFLA_LINKINFO, NULL, 0);
		add_attr(&request.header, IFLA_INFO_KIND, "vsockmon", 9);
		info->rta_len = (unsigned short)((char *)&request + request.header.nlmsg_len - (char *)info);
	}
	if (send(fd, &request, request.header.nlmsg_len, 0) < 0) {
		close(fd);
		return errno;
	}
	ssize_t got = recv(fd, answer, sizeof(answer), 0);
	close(fd);
	if (got < (ssize_t)NLMSG_LENGTH(sizeof(struct nlmsgerr)))
		return EIO;
	struct nlmsghdr *reply = (struct nlmsghdr *)answer;
	if (reply->nlmsg_type == NLMSG_ERROR)
		return -((struct nlmsgerr *)NLMSG_DATA(reply))->error;
	return 0;
}

static const char *op_name(unsigned op)
{
	static const char *names[] = { "INVALID", "REQUEST", "RESPONSE", "RST", "SHUTDOWN", "RW", "CREDIT_UPDATE", "CREDIT_REQUEST" };

	return op < 8 ? names[op] : "INVALID";
}

static int monitor(unsigned port, const char *out)
{
	unsigned long long packets[2][8] = { { 0 } }, bytes[2][8] = { { 0 } };
	static char frame[1 << 17];
	int error = link_request(RTM_NEWLINK);

	if (error) {
		fprintf(stderr, "vsock-crosscheck: creating vsockmon0: %s\n", strerror(error));
		return 2;
	}
	int fd = socket(AF_PACKET, SOCK_RAW, htons(0x0003 /* ETH_P_ALL */));
	struct sockaddr_ll address = { .sll_family = AF_PACKET, .sll_protocol = htons(0x0003), .sll_ifindex = (int)if_nametoindex("vsockmon0") };
	int size = 8 << 20;
	if (fd < 0 || address.sll_ifindex == 0 || bind(fd, (struct sockaddr *)&address, sizeof(address)) != 0) {
		perror("vsock-crosscheck: capturing on vsockmon0");
		link_request(RTM_DELLINK);
		return 2;
	}
	setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size));
	struct sigaction action = { .sa_handler = on_signal };
	sigaction(SIGTERM, &action, NULL);
	sigaction(SIGINT, &action, NULL);
	printf("ready\n");
	fflush(stdout);
	while (!stop) {
		ssize_t got = recv(fd, frame, sizeof(frame), 0);
		if (got < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (got < (ssize_t)(sizeof(struct af_vsockmon_hdr) + sizeof(struct virtio_vsock_hdr)))
			continue;
		struct virtio_vsock_hdr virtio;
		memcpy(&virtio, frame + sizeof(struct af_vsockmon_hdr), sizeof(virtio));
		unsigned src = virtio.src_port, dst = virtio.dst_port, op = virtio.op < 8 ? virtio.op : 0;
		if (src != port && dst != port)
			continue;
		int to_port = dst == port;
		packets[to_port][op]++;
		bytes[to_port][op] += virtio.len;
	}
	struct tpacket_stats stats = { 0 };
	socklen_t length = sizeof(stats);
	getsockopt(fd, SOL_PACKET, PACKET_STATISTICS, &stats, &length);
	close(fd);
	link_request(RTM_DELLINK);
	FILE *file = fopen(out, "w");
	if (!file)
		return 2;
	for (int way = 0; way < 2; way++)
		for (int op = 0; op < 8; op++)
			if (packets[way][op])
				fprintf(file, "%s %s %llu %llu\n", way ? "to_port" : "from_port", op_name(op), packets[way][op], bytes[way][op]);
	fprintf(file, "dropped %u\n", stats.tp_drops);
	fclose(file);
	return 0;
}

static int diag(unsigned port)
{
	struct {
		struct nlmsghdr header;
		struct vsock_diag_req request;
	} message = {
		.header = { .nlmsg_len = sizeof(message), .nlmsg_type = SOCK_DIAG_BY_FAMILY, .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.request = { .sdiag_family = AF_VSOCK, .vdiag_states = ~0u },
	};
	static char answer[1 << 16];
	int fd = socket(AF_NETLINK, SOCK_RAW, NETLINK_SOCK_DIAG);

	if (fd < 0 || send(fd, &message, sizeof(message), 0) < 0) {
		perror("vsock-crosscheck: vsock_diag");
		return 2;
	}
	for (;;) {
		ssize_t got = recv(fd, answer, sizeof(answer), 0);
		if (got <= 0)
			break;
		for (struct nlmsghdr *reply = (struct nlmsghdr *)answer; NLMSG_OK(reply, got); reply = NLMSG_NEXT(reply, got)) {
			if (reply->nlmsg_type == NLMSG_DONE) {
				close(fd);
				return 0;
			}
			if (reply->nlmsg_type == NLMSG_ERROR) {
				fprintf(stderr, "vsock-crosscheck: vsock_diag: %s (is vsock_diag loaded?)\n",
					strerror(-((struct nlmsgerr *)NLMSG_DATA(reply))->error));
				close(fd);
				return 2;
			}
			struct vsock_diag_msg *socket_info = NLMSG_DATA(reply);
			if (socket_info->vdiag_src_port == port || socket_info->vdiag_dst_port == port)
				printf("socket %u:%u %u:%u %u\n", socket_info->vdiag_src_cid, socket_info->vdiag_src_port,
				       socket_info->vdiag_dst_cid, socket_info->vdiag_dst_port, socket_info->vdiag_state);
		}
	}
	close(fd);
	return 0;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "mon") == 0)
		return monitor((unsigned)atol(argv[2]), argv[3]);
	if (argc == 3 && strcmp(argv[1], "diag") == 0)
		return diag((unsigned)atol(argv[2]));
	fprintf(stderr, "usage: vsock-crosscheck mon PORT OUT | vsock-crosscheck diag PORT\n");
	return 64;
}
