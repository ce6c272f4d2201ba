/* The built-in UDP payloads: one request per well-known protocol, written
 * byte by byte from the protocol's specification (not taken from nmap's
 * file, whose licence differs), each field with its meaning.
 *
 * What makes a good payload: a request that a server of the protocol
 * answers whatever its configuration (an error reply shows the port open
 * as well as a real answer), that changes no state on the server, and
 * whose answer is small. Identifiers we choose (query IDs, cookies) spell
 * "ps" (0x70 0x73) where there is room, so our probes are easy to spot in
 * a capture. Tests in tests/scan/test_payloads.c parse each one back. */
#include "scan/payloads.h"

/* Big-endian (network order) fields. */
#define BE16(v) (uint8_t)((v) >> 8 & 0xff), (uint8_t)((v) & 0xff)
#define BE32(v) BE16((v) >> 16), BE16(v)

/* DNS (RFC 1035 4.1): a standard query for the NS records of the root
 * zone, what `dig . NS` sends. A recursive resolver answers from its root
 * hints; an authoritative-only server answers with a referral or REFUSED.
 * Either shows the port open. */
static const uint8_t dns_root_ns[] = {
    BE16(0x7073),            /* ID, echoed in the answer */
    BE16(0x0100),            /* QR 0 query, opcode 0 QUERY, RD 1 */
    BE16(1),                 /* QDCOUNT: one question */
    BE16(0),                 /* ANCOUNT */
    BE16(0),                 /* NSCOUNT */
    BE16(0),                 /* ARCOUNT */
    0,                       /* QNAME: the root, one empty label */
    BE16(2),                 /* QTYPE NS */
    BE16(1),                 /* QCLASS IN */
};

/* mDNS (RFC 6762) on 5353: the DNS-SD service enumeration query
 * "_services._dns-sd._udp.local" PTR (RFC 6763 9). Sent from a port other
 * than 5353 it is a legacy unicast query (RFC 6762 6.7), which a responder
 * answers directly to our address and port, echoing the ID. */
static const uint8_t mdns_services[] = {
    BE16(0x7073),            /* ID */
    BE16(0x0000),            /* standard query; mDNS ignores RD */
    BE16(1),                 /* QDCOUNT */
    BE16(0), BE16(0), BE16(0), /* ANCOUNT, NSCOUNT, ARCOUNT */
    9, '_', 's', 'e', 'r', 'v', 'i', 'c', 'e', 's',
    7, '_', 'd', 'n', 's', '-', 's', 'd',
    4, '_', 'u', 'd', 'p',
    5, 'l', 'o', 'c', 'a', 'l',
    0,                       /* end of QNAME */
    BE16(12),                /* QTYPE PTR */
    BE16(1),                 /* QCLASS IN, QU bit clear */
};

/* TFTP (RFC 1350 5): a read request, in octet mode, for a file no server
 * should have; the server answers ERROR "file not found" (or sends the
 * file). Note for the receiver: the answer comes from a new port the
 * server picks for the transfer (its TID, RFC 1350 4), not from 69. */
static const uint8_t tftp_rrq[] = {
    BE16(1),                 /* opcode RRQ */
    'p', 'o', 'r', 't', 's', 'c', 'o', 'p', 'e', '.', 't', 'x', 't', 0,
                             /* file name, NUL-terminated */
    'o', 'c', 't', 'e', 't', 0, /* mode, NUL-terminated */
};

/* ONC RPC (RFC 5531 9): a call of procedure 0, NULL, which every RPC
 * program implements and which does nothing. The answer is an accepted
 * reply, or a version mismatch, which shows the port open as well. */
#define RPC_NULL_CALL(xid, prog, vers)                                       \
    BE32(xid),               /* xid, echoed in the reply */                  \
    BE32(0),                 /* msg_type CALL */                             \
    BE32(2),                 /* rpcvers: RPC version 2 */                    \
    BE32(prog),              /* prog */                                      \
    BE32(vers),              /* vers */                                      \
    BE32(0),                 /* proc 0, NULL */                              \
    BE32(0), BE32(0),        /* cred: AUTH_NONE, empty body */               \
    BE32(0), BE32(0)         /* verf: AUTH_NONE, empty body */

/* Port 111: the portmapper (rpcbind), program 100000, version 2. */
static const uint8_t rpc_portmap_null[] = {RPC_NULL_CALL(0x70730001, 100000, 2)};
/* Port 2049: NFS, program 100003, version 3 (version 4 is TCP only). */
static const uint8_t rpc_nfs_null[] = {RPC_NULL_CALL(0x70730002, 100003, 3)};

/* NTP (RFC 5905 7.3): a client request, the 48-byte header and nothing
 * more, as a client that has never synchronized sends it. */
static const uint8_t ntp_client[48] = {
    0xe3,                    /* LI 3 (unsynchronized), VN 4, mode 3 client */
    0,                       /* stratum: unspecified */
    6,                       /* poll: 2^6 = 64 s, the RFC's minimum */
    0xec,                    /* precision: 2^-20 s, about a microsecond */
    BE32(0),                 /* root delay */
    BE32(0),                 /* root dispersion */
    BE32(0),                 /* reference ID */
    BE32(0), BE32(0),        /* reference timestamp */
    BE32(0), BE32(0),        /* origin timestamp */
    BE32(0), BE32(0),        /* receive timestamp */
    /* Transmit timestamp, a fixed time in 2023: the server copies it into
     * its answer's origin timestamp, which ties the answer to us. Some
     * servers ignore a request whose transmit timestamp is 0. */
    BE32(0xe9000000), BE32(0x70730000),
};

/* NetBIOS name service (RFC 1002 4.2.17): a node status request (NBSTAT)
 * for the wildcard name "*", which a node answers with its name table
 * whatever its own name. */
static const uint8_t nbns_nbstat[] = {
    BE16(0x7073),            /* NAME_TRN_ID */
    BE16(0x0000),            /* opcode 0 query, NM_FLAGS 0 (unicast) */
    BE16(1),                 /* QDCOUNT */
    BE16(0), BE16(0), BE16(0), /* ANCOUNT, NSCOUNT, ARCOUNT */
    /* QUESTION_NAME, first-level encoded (RFC 1001 14.1): the 16-byte
     * name "*" and 15 NULs, each byte as two letters 'A' + nibble: "*"
     * (0x2a) is "CK" and each NUL "AA"; 32 letters behind a length byte. */
    32, 'C', 'K',
    'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',
    'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',
    'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A', 'A',
    0,                       /* end of the name: no scope */
    BE16(0x0021),            /* QUESTION_TYPE NBSTAT */
    BE16(0x0001),            /* QUESTION_CLASS IN */
};

/* SNMP (RFC 3416, community-based framing of RFC 1901): a v2c GetRequest
 * for sysDescr.0 with community "public", the default read community of
 * most agents. An agent with another community stays silent, hence the
 * v3 discovery below. BER: tag, length of the contents, contents. */
static const uint8_t snmp_v2c_get[] = {
    0x30, 41,                /* Message SEQUENCE */
    0x02, 1, 1,              /*   version INTEGER 1: v2c */
    0x04, 6, 'p', 'u', 'b', 'l', 'i', 'c', /* community OCTET STRING */
    0xa0, 28,                /*   GetRequest-PDU [0] */
    0x02, 4, BE32(0x70730003), /*   request-id INTEGER */
    0x02, 1, 0,              /*     error-status 0 */
    0x02, 1, 0,              /*     error-index 0 */
    0x30, 14,                /*     variable-bindings SEQUENCE OF */
    0x30, 12,                /*       VarBind SEQUENCE */
    0x06, 8, 0x2b, 6, 1, 2, 1, 1, 1, 0, /* name: OID 1.3.6.1.2.1.1.1.0,
                                           sysDescr.0 (1.3 packs as 43) */
    0x05, 0,                 /*       value: NULL */
};

/* SNMPv3 engine discovery (RFC 3414 4): a noAuthNoPriv request with an
 * empty engine ID and the reportable flag. A v3 agent answers it with a
 * Report PDU (usmStatsUnknownEngineIDs) and its engine ID, with no
 * credentials needed. */
static const uint8_t snmp_v3_discovery[] = {
    0x30, 62,                /* SNMPv3Message SEQUENCE */
    0x02, 1, 3,              /*   msgVersion 3 */
    0x30, 17,                /*   msgGlobalData HeaderData SEQUENCE */
    0x02, 4, BE32(0x70730004), /*   msgID */
    0x02, 3, 0x00, 0xff, 0xe3, /*   msgMaxSize 65507 (the 0 keeps it positive) */
    0x04, 1, 0x04,           /*     msgFlags: reportable, noAuthNoPriv */
    0x02, 1, 3,              /*     msgSecurityModel 3: USM */
    0x04, 16,                /*   msgSecurityParameters OCTET STRING, holding */
    0x30, 14,                /*     UsmSecurityParameters SEQUENCE */
    0x04, 0,                 /*       msgAuthoritativeEngineID: empty, asked */
    0x02, 1, 0,              /*       msgAuthoritativeEngineBoots 0 */
    0x02, 1, 0,              /*       msgAuthoritativeEngineTime 0 */
    0x04, 0,                 /*       msgUserName: empty */
    0x04, 0,                 /*       msgAuthenticationParameters: none */
    0x04, 0,                 /*       msgPrivacyParameters: none */
    0x30, 20,                /*   msgData: a plaintext ScopedPDU SEQUENCE */
    0x04, 0,                 /*     contextEngineID: empty */
    0x04, 0,                 /*     contextName: empty */
    0xa0, 14,                /*     GetRequest-PDU [0] */
    0x02, 4, BE32(0x70730005), /*     request-id */
    0x02, 1, 0,              /*       error-status 0 */
    0x02, 1, 0,              /*       error-index 0 */
    0x30, 0,                 /*       variable-bindings: none */
};

/* IKEv2 (RFC 7296): an IKE_SA_INIT request, the first message of every
 * IKEv2 exchange. A responder answers with its own IKE_SA_INIT, or with
 * a notify (NO_PROPOSAL_CHOSEN, INVALID_KE_PAYLOAD, COOKIE): all show the
 * port open. One proposal, AES-CBC-128 / HMAC-SHA2-256 / Curve25519, keeps
 * the key exchange data at 32 bytes. */
static const uint8_t ikev2_sa_init[] = {
    /* IKE header (3.1) */
    0x70, 0x73, 0x70, 0x73, 0x00, 0x00, 0x00, 0x01, /* initiator SPI */
    0, 0, 0, 0, 0, 0, 0, 0,  /* responder SPI: 0 in the first message */
    33,                      /* next payload: SA */
    0x20,                    /* major version 2, minor 0 */
    34,                      /* exchange type IKE_SA_INIT */
    0x08,                    /* flags: Initiator */
    BE32(0),                 /* message ID 0 */
    BE32(136),               /* length of the whole message */
    /* Security Association payload (3.3) */
    34,                      /* next payload: KE */
    0,                       /* critical bit, reserved */
    BE16(48),                /* payload length */
    0,                       /*   proposal: last substructure */
    0,                       /*   reserved */
    BE16(44),                /*   proposal length */
    1,                       /*   proposal number 1 */
    1,                       /*   protocol ID: IKE */
    0,                       /*   SPI size: none in IKE_SA_INIT */
    4,                       /*   number of transforms */
    3, 0, BE16(12),          /*     transform (more follow), length 12 */
    1, 0, BE16(12),          /*     type 1 ENCR, ID 12 ENCR_AES_CBC */
    BE16(0x800e), BE16(128), /*     attribute TV Key Length: 128 bits */
    3, 0, BE16(8),           /*     transform (more follow), length 8 */
    2, 0, BE16(5),           /*     type 2 PRF, ID 5 PRF_HMAC_SHA2_256 */
    3, 0, BE16(8),           /*     transform (more follow), length 8 */
    3, 0, BE16(12),          /*     type 3 INTEG, ID 12 AUTH_HMAC_SHA2_256_128 */
    0, 0, BE16(8),           /*     transform (last), length 8 */
    4, 0, BE16(31),          /*     type 4 D-H, ID 31 Curve25519 */
    /* Key Exchange payload (3.4) */
    40,                      /* next payload: Nonce */
    0,                       /* critical bit, reserved */
    BE16(40),                /* payload length */
    BE16(31),                /* D-H group 31 */
    BE16(0),                 /* reserved */
    /* Key exchange data: the curve's base point u = 9 (RFC 7748 4.1),
     * little-endian, a valid public value (that of private scalar 1). */
    9, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0,
    /* Nonce payload (3.9): 16 bytes, the least allowed */
    0,                       /* next payload: none */
    0,                       /* critical bit, reserved */
    BE16(20),                /* payload length */
    0x70, 0x73, 0x70, 0x73, 0x70, 0x73, 0x70, 0x73,
    0x70, 0x73, 0x70, 0x73, 0x70, 0x73, 0x70, 0x73,
};

/* IKEv1 (ISAKMP, RFC 2408; IKE, RFC 2409): the first Main Mode message,
 * for responders that speak only IKEv1. One proposal with one transform:
 * AES-CBC-128, SHA-1, pre-shared key, MODP group 2. The answer is the
 * responder's SA or a NO-PROPOSAL-CHOSEN notification. */
static const uint8_t ikev1_main_mode[] = {
    /* ISAKMP header (RFC 2408 3.1) */
    0x70, 0x73, 0x70, 0x73, 0x00, 0x00, 0x00, 0x02, /* initiator cookie */
    0, 0, 0, 0, 0, 0, 0, 0,  /* responder cookie: 0 in the first message */
    1,                       /* next payload: SA */
    0x10,                    /* major version 1, minor 0 */
    2,                       /* exchange type: Identity Protection (Main Mode) */
    0,                       /* flags: none */
    BE32(0),                 /* message ID 0 */
    BE32(84),                /* length of the whole message */
    /* SA payload (3.4) */
    0,                       /* next payload: none */
    0,                       /* reserved */
    BE16(56),                /* payload length */
    BE32(1),                 /* DOI: IPsec */
    BE32(1),                 /* situation: SIT_IDENTITY_ONLY */
    /* Proposal payload (3.5) */
    0, 0, BE16(44),          /* next payload: none, reserved, length */
    1,                       /* proposal number 1 */
    1,                       /* protocol ID: PROTO_ISAKMP */
    0,                       /* SPI size 0 */
    1,                       /* number of transforms */
    /* Transform payload (3.6) */
    0, 0, BE16(36),          /* next payload: none, reserved, length */
    1,                       /* transform number 1 */
    1,                       /* transform ID: KEY_IKE */
    BE16(0),                 /* reserved */
    /* SA attributes, TV format (AF bit 0x8000), RFC 2409 appendix A */
    BE16(0x8001), BE16(7),   /* encryption algorithm: AES-CBC */
    BE16(0x800e), BE16(128), /* key length: 128 bits */
    BE16(0x8002), BE16(2),   /* hash algorithm: SHA */
    BE16(0x8003), BE16(1),   /* authentication method: pre-shared key */
    BE16(0x8004), BE16(2),   /* group description: MODP 1024, group 2 */
    BE16(0x800b), BE16(1),   /* life type: seconds */
    BE16(0x800c), BE16(28800), /* life duration: 8 hours */
};

/* QUIC (RFC 9000): a long-header packet of a version no server speaks;
 * versions 0x?a?a?a?a are reserved to force version negotiation (15). A
 * server answers with a Version Negotiation packet listing its versions
 * (6.1), no cryptography on either side, provided the datagram has the
 * 1200 bytes a client's first datagram must have (14.1). */
static const uint8_t quic_version_probe[1200] = {
    0xc0,                    /* long header form, fixed bit, type bits 0 */
    BE32(0x1a2a3a4a),        /* version: reserved, forces negotiation */
    8,                       /* destination connection ID length */
    0x70, 0x73, 0x70, 0x73, 0x00, 0x00, 0x00, 0x03,
                             /* DCID, echoed as the answer's SCID */
    8,                       /* source connection ID length */
    0x70, 0x73, 0x70, 0x73, 0x00, 0x00, 0x00, 0x04,
                             /* SCID, echoed as the answer's DCID */
    /* the rest: zeros, padding the datagram to 1200 bytes */
};

/* SSDP (UPnP Device Architecture 1.1, 1.3.2): a search for every device
 * and service. HOST names the multicast group even when sent unicast, as
 * devices expect. */
static const char ssdp_msearch[] =
    "M-SEARCH * HTTP/1.1\r\n"         /* the search request line */
    "HOST: 239.255.255.250:1900\r\n"  /* the SSDP group and port */
    "MAN: \"ssdp:discover\"\r\n"      /* required, quotes included */
    "MX: 1\r\n"                       /* answer within 1 second */
    "ST: ssdp:all\r\n"                /* search target: everything */
    "\r\n";

/* SIP (RFC 3261 11): an OPTIONS request, which a SIP server or phone
 * answers with its capabilities (or an error such as 404). "rport" in Via
 * (RFC 3581) makes it answer to the address and port we sent from, not
 * to the placeholder host of Via; .invalid names are reserved (RFC 6761)
 * so the placeholder can never be somebody's host. */
static const char sip_options[] =
    "OPTIONS sip:portscope.invalid SIP/2.0\r\n"
    "Via: SIP/2.0/UDP portscope.invalid;branch=z9hG4bK-portscope;rport\r\n"
    "Max-Forwards: 70\r\n"
    "From: <sip:portscope@portscope.invalid>;tag=ps\r\n"
    "To: <sip:portscope.invalid>\r\n"
    "Call-ID: portscope@portscope.invalid\r\n"
    "CSeq: 1 OPTIONS\r\n"
    "Accept: application/sdp\r\n"
    "Content-Length: 0\r\n"
    "\r\n";

/* memcached UDP (its protocol.txt, "UDP protocol"): the 8-byte frame
 * header, then the text command "version". Not "stats": its answer is
 * about a kilobyte, the amplification that made memcached's UDP port
 * infamous; "version" gets one short line and shows the port as well. */
static const uint8_t memcached_version[] = {
    BE16(0x7073),            /* request ID, echoed in the answer */
    BE16(0),                 /* sequence number */
    BE16(1),                 /* datagrams in this message */
    BE16(0),                 /* reserved */
    'v', 'e', 'r', 's', 'i', 'o', 'n', '\r', '\n',
};

#define BIN(a) {(a), sizeof(a), 0}
#define TEXT(s) {(const uint8_t *)(s), sizeof(s) - 1, 0}

/* In port order; a port's payloads are sent in the order listed. */
const struct ps__payload_builtin ps__payload_builtins[] = {
    {53, BIN(dns_root_ns), "DNS query for the root's NS records"},
    {69, BIN(tftp_rrq), "TFTP read request"},
    {111, BIN(rpc_portmap_null), "ONC RPC portmapper NULL call"},
    {123, BIN(ntp_client), "NTPv4 client request"},
    {137, BIN(nbns_nbstat), "NetBIOS node status request for *"},
    {161, BIN(snmp_v2c_get), "SNMPv2c get sysDescr.0, community public"},
    {161, BIN(snmp_v3_discovery), "SNMPv3 engine ID discovery"},
    {443, BIN(quic_version_probe), "QUIC version negotiation probe"},
    {500, BIN(ikev2_sa_init), "IKEv2 IKE_SA_INIT"},
    /* IKEv1 responders commonly answer only to source port 500. */
    {500, {ikev1_main_mode, sizeof ikev1_main_mode, 500}, "IKEv1 Main Mode"},
    {1900, TEXT(ssdp_msearch), "SSDP M-SEARCH ssdp:all"},
    {2049, BIN(rpc_nfs_null), "ONC RPC NFSv3 NULL call"},
    {5060, TEXT(sip_options), "SIP OPTIONS"},
    {5353, BIN(mdns_services), "mDNS DNS-SD service enumeration"},
    {11211, BIN(memcached_version), "memcached version command"},
};

const size_t ps__payload_builtin_count =
    sizeof ps__payload_builtins / sizeof ps__payload_builtins[0];

struct ps__payloads *ps__payloads_builtin(void)
{
    enum { N = sizeof ps__payload_builtins / sizeof ps__payload_builtins[0] };
    struct ps__payload pl[N];
    struct ps__payload_range r[N];

    for (size_t i = 0; i < N; i++) {
        pl[i] = ps__payload_builtins[i].payload;
        r[i] = (struct ps__payload_range){ps__payload_builtins[i].port,
                                          ps__payload_builtins[i].port,
                                          (uint32_t)i};
    }
    struct ps__payloads *p = ps__payloads_new();
    if (p && ps__payloads_add(p, pl, N, r, N, 0) != 0) {
        ps__payloads_free(p);
        p = NULL;
    }
    return p;
}
