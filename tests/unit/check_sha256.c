/* SHA-256 against the FIPS 180-4 / NIST example vectors. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "sha256.h"

static const char *
hex_of(const char *s, size_t len)
{
	static char hex[SHA256_HEX_LEN + 1];

	return sha256_hex_of(s, len, hex);
}

START_TEST(sha256_empty)
{
	ck_assert_str_eq(hex_of("", 0),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
	/* A NULL pointer with no bytes is the empty message too. */
	ck_assert_str_eq(hex_of(NULL, 0),
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
}
END_TEST

START_TEST(sha256_abc)
{
	ck_assert_str_eq(hex_of("abc", 3),
	    "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}
END_TEST

START_TEST(sha256_448_bits)
{
	const char *m =
	    "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq";

	ck_assert_uint_eq(strlen(m) * 8, 448);
	ck_assert_str_eq(hex_of(m, strlen(m)),
	    "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1");
}
END_TEST

START_TEST(sha256_896_bits)
{
	const char *m = "abcdefghbcdefghicdefghijdefghijkefghijklfghijklm"
	    "ghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu";

	ck_assert_uint_eq(strlen(m) * 8, 896);
	ck_assert_str_eq(hex_of(m, strlen(m)),
	    "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1");
}
END_TEST

START_TEST(sha256_million_a)
{
	char *m = malloc(1000000);

	ck_assert_ptr_nonnull(m);
	memset(m, 'a', 1000000);
	ck_assert_str_eq(hex_of(m, 1000000),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
	free(m);
}
END_TEST

/* Feeding the million 'a' in uneven pieces crosses every block offset. */
START_TEST(sha256_incremental_matches_one_shot)
{
	struct sha256_ctx c;
	unsigned char d[SHA256_LEN];
	char hex[SHA256_HEX_LEN + 1], a[997];
	size_t left = 1000000, step = 1;

	memset(a, 'a', sizeof(a));
	sha256_init(&c);
	while (left > 0) {
		size_t n = step < left ? step : left;

		sha256_update(&c, a, n);
		left -= n;
		step = (step + 7) % sizeof(a) + 1;
	}
	sha256_final(&c, d);
	ck_assert_str_eq(sha256_hex(d, hex),
	    "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0");
}
END_TEST

/* Lengths around the padding boundary (55, 56, 63, 64 bytes). */
START_TEST(sha256_padding_edges)
{
	char m[64];

	memset(m, 'a', sizeof(m));
	ck_assert_str_eq(hex_of(m, 55),
	    "9f4390f8d30c2dd92ec9f095b65e2b9ae9b0a925a5258e241c9f1e910f734318");
	ck_assert_str_eq(hex_of(m, 56),
	    "b35439a4ac6f0948b6d6f9e3c6af0f5f590ce20f1bde7090ef7970686ec6738a");
	ck_assert_str_eq(hex_of(m, 63),
	    "7d3e74a05d7db15bce4ad9ec0658ea98e3f06eeecf16b4c6fff2da457ddc2f34");
	ck_assert_str_eq(hex_of(m, 64),
	    "ffe054fe7ae0cb6dc65c3af9b61d5209f439851db43d0ba5997337df154668eb");
}
END_TEST

int
main(void)
{
	Suite *s = suite_create("sha256");
	TCase *tc = tcase_create("nist");
	SRunner *sr;
	int failed;

	tcase_add_test(tc, sha256_empty);
	tcase_add_test(tc, sha256_abc);
	tcase_add_test(tc, sha256_448_bits);
	tcase_add_test(tc, sha256_896_bits);
	tcase_add_test(tc, sha256_million_a);
	tcase_add_test(tc, sha256_incremental_matches_one_shot);
	tcase_add_test(tc, sha256_padding_edges);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}
