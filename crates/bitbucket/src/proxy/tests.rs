use super::*;

fn env<'a>(vars: &'a [(&'a str, &'a str)]) -> impl Fn(&str) -> Option<String> + 'a {
    move |name| vars.iter().find(|(k, _)| *k == name).map(|(_, v)| v.to_string())
}

/// curl's own expectations for `proxy_check_noproxy`: tests/unit/unit1614.c (curl 8.x), row
/// for row, the two 127/128-byte "address" rows included.
#[test]
fn no_proxy_matches_as_curls_unit_test_1614_expects() {
    let long128 = "localhost,127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.";
    let long127 = "localhost,127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0.1.127.0.0";
    let table: &[(&str, &str, bool)] = &[
        ("www.example.com", "localhost .example.com .example.de", false),
        ("www.example.com", "localhost,.example.com,.example.de", true),
        ("www.example.com.", "localhost,.example.com,.example.de", true),
        ("example.com", "localhost,.example.com,.example.de", true),
        ("example.com.", "localhost,.example.com,.example.de", true),
        ("www.example.com", "localhost,.example.com.,.example.de", true),
        ("www.example.com", "localhost,www.example.com.,.example.de", true),
        ("example.com", "localhost,example.com,.example.de", true),
        ("example.com.", "localhost,example.com,.example.de", true),
        ("nexample.com", "localhost,example.com,.example.de", false),
        ("www.example.com", "localhost,example.com,.example.de", true),
        ("127.0.0.1", "127.0.0.1,localhost", true),
        ("127.0.0.1", "127.0.0.1,localhost,", true),
        ("127.0.0.1", "127.0.0.1/8,localhost,", true),
        ("127.0.0.1", "127.0.0.1/28,localhost,", true),
        ("127.0.0.1", "127.0.0.1/31,localhost,", true),
        ("127.0.0.1", "localhost,127.0.0.1", true),
        ("127.0.0.1", long128, false),
        ("127.0.0.1", long127, false),
        ("localhost", "localhost,127.0.0.1", true),
        ("localhost", "127.0.0.1,localhost", true),
        ("foobar", "barfoo", false),
        ("foobar", "foobar", true),
        ("192.168.0.1", "foobar", false),
        ("192.168.0.1", "192.168.0.0/16", true),
        ("192.168.0.1", "192.168.0.0/16a", false),
        ("192.168.0.1", "192.168.0.0/16 ", true),
        ("192.168.0.1", "192.168.0.0/a16", false),
        ("192.168.0.1", "192.168.0.0/ 16", false),
        ("192.168.0.1", "192.168.0.0/24", true),
        ("192.168.0.1", "192.168.0.0/32", false),
        ("192.168.0.1", "192.168.0.1/32", true),
        ("192.168.0.1", "192.168.0.1/33", false),
        ("192.168.0.1", "192.168.0.0", false),
        ("192.168.1.1", "192.168.0.0/24", false),
        ("192.168.1.1", "192.168.0.0/33", false),
        ("192.168.1.1", "foo, bar, 192.168.0.0/24", false),
        ("192.168.1.1", "foo, bar, 192.168.0.0/16", true),
        ("::1", "foo, bar, 192.168.0.0/16", false),
        ("::1", "foo, bar, ::1/64", true),
        ("::1", "::1/64", true),
        ("::1", "::1/96", true),
        ("::1", "::1/129", false),
        ("::1", "::1/128", true),
        ("::1", "::1/127", true),
        ("::1", "::1/a127", false),
        ("::1", "::1/127a", false),
        ("::1", "::1/ 127", false),
        ("::1", "::1/127 ", true),
        ("::1", "::1/126", true),
        ("::1", "::1/125", true),
        ("::1", "::1/124", true),
        ("::1", "::1/123", true),
        ("::1", "::1/122", true),
        ("2001:db8:8000::1", "2001:db8::/65", false),
        ("2001:db8:8000::1", "2001:db8::/66", false),
        ("2001:db8:8000::1", "2001:db8::/67", false),
        ("2001:db8:8000::1", "2001:db8::/68", false),
        ("2001:db8:8000::1", "2001:db8::/69", false),
        ("2001:db8:8000::1", "2001:db8::/70", false),
        ("2001:db8:8000::1", "2001:db8::/71", false),
        ("2001:db8:8000::1", "2001:db8::/72", false),
        ("2001:db8::1", "2001:db8::/65", true),
        ("2001:db8::1", "2001:db8::/66", true),
        ("2001:db8::1", "2001:db8::/67", true),
        ("2001:db8::1", "2001:db8::/68", true),
        ("2001:db8::1", "2001:db8::/69", true),
        ("2001:db8::1", "2001:db8::/70", true),
        ("2001:db8::1", "2001:db8::/71", true),
        ("2001:db8::1", "2001:db8::/72", true),
        ("bar", "foo, bar, ::1/64", true),
        ("BAr", "foo, bar, ::1/64", true),
        ("BAr", "foo,,,,,              bar, ::1/64", true),
        ("www.example.com", "foo, .example.com", true),
        ("www.example.com", "www2.example.com, .example.net", false),
        ("example.com", ".example.com, .example.net", true),
        ("nonexample.com", ".example.com, .example.net", false),
    ];
    let wrong: Vec<String> = table
        .iter()
        .filter(|(name, list, want)| no_proxy_matches(name, list) != *want)
        .map(|(name, list, want)| format!("{name} in {list:?} should {}match", if *want { "" } else { "not " }))
        .collect();
    assert!(wrong.is_empty(), "{}", wrong.join("\n"));
}

/// The CIDR rows of unit1614.c, through the entry syntax (`net/bits`; no bits is bits 0).
#[test]
fn cidr_as_curls_unit_test_1614_expects() {
    let v4: &[(&str, &str, u32, bool)] = &[
        ("192.160.0.1", "192.160.0.1", 33, false),
        ("192.160.0.1", "192.160.0.1", 32, true),
        ("192.160.0.1", "192.160.0.1", 0, true),
        ("192.160.0.1", "192.160.0.1", 24, true),
        ("192.160.0.1", "192.160.0.1", 26, true),
        ("192.160.0.1", "192.160.0.1", 20, true),
        ("192.160.0.1", "192.160.0.1", 18, true),
        ("192.160.0.1", "192.160.0.1", 12, true),
        ("192.160.0.1", "192.160.0.1", 8, true),
        ("192.160.0.1", "10.0.0.1", 8, false),
        ("192.160.0.1", "10.0.0.1", 32, false),
        ("192.160.0.1", "10.0.0.1", 0, false),
    ];
    for (ip, net, bits, want) in v4 {
        assert_eq!(cidr4_matches(ip.parse().unwrap(), net, *bits), *want, "{ip} in {net}/{bits}");
    }
    let v6: &[(&str, &str, u32, bool)] = &[
        ("::1", "::1", 0, true),
        ("::1", "::1", 128, true),
        ("::1", "0:0::1", 128, true),
        ("::1", "0:0::1", 129, false),
        ("fe80::ab47:4396:55c9:8474", "fe80::ab47:4396:55c9:8474", 64, true),
    ];
    for (ip, net, bits, want) in v6 {
        assert_eq!(cidr6_matches(ip.parse().unwrap(), net, *bits), *want, "{ip} in {net}/{bits}");
    }
}

/// What the grammar means in the cases the README names.
#[test]
fn no_proxy_grammar() {
    // `*` works only as the whole value.
    assert!(no_proxy_matches("api.bitbucket.org", "*"));
    assert!(!no_proxy_matches("api.bitbucket.org", "*,example.com"));
    assert!(!no_proxy_matches("api.bitbucket.org", " *"));
    assert!(!no_proxy_matches("api.bitbucket.org", "example.com, *"));
    assert!(!no_proxy_matches("api.bitbucket.org", "*.bitbucket.org"), "no wildcards inside an entry");
    // Blanks around commas are fine; a blank without a comma ends the list.
    assert!(no_proxy_matches("api.bitbucket.org", "example.com ,\t bitbucket.org"));
    assert!(!no_proxy_matches("api.bitbucket.org", "example.com bitbucket.org"));
    // Trailing dots, leading dot, case.
    assert!(no_proxy_matches("api.bitbucket.org.", "BITBUCKET.ORG."));
    assert!(no_proxy_matches("api.bitbucket.org", ".bitbucket.org"));
    assert!(!no_proxy_matches("api.notbitbucket.org", "bitbucket.org"));
    // An entry with a port matches nothing; an address is matched by addresses only.
    assert!(!no_proxy_matches("api.bitbucket.org", "api.bitbucket.org:443"));
    assert!(!no_proxy_matches("10.1.2.3", "1.2.3"));
    assert!(no_proxy_matches("10.1.2.3", "10.0.0.0/8"));
    assert!(no_proxy_matches("[2001:db8::5]", "2001:db8::/32"));
    // Empty: no exclusions.
    assert!(!no_proxy_matches("api.bitbucket.org", ""));
    assert!(!no_proxy_matches("api.bitbucket.org", " , "));
}

/// Which variable names the proxy, as curl's `proxy_detect_proxy` and `curl_getenv` pick it.
#[test]
fn the_proxy_variable_is_picked_as_curl_picks_it() {
    let pick = |scheme: &str, vars: &[(&str, &str)]| proxy_var(scheme, &env(vars));
    let p = |var: &'static str, v: &str| Some((var, v.to_string()));
    // Lower case wins over upper case, for the scheme's variable and for all_proxy.
    assert_eq!(pick("https", &[("HTTPS_PROXY", "http://upper:1"), ("https_proxy", "http://lower:1")]), p("https_proxy", "http://lower:1"));
    assert_eq!(pick("https", &[("HTTPS_PROXY", "http://upper:1")]), p("HTTPS_PROXY", "http://upper:1"));
    assert_eq!(pick("https", &[("ALL_PROXY", "http://upper:1"), ("all_proxy", "http://lower:1")]), p("all_proxy", "http://lower:1"));
    // The scheme's variable, in either case, before all_proxy.
    assert_eq!(pick("https", &[("all_proxy", "http://all:1"), ("HTTPS_PROXY", "http://upper:1")]), p("HTTPS_PROXY", "http://upper:1"));
    // http: lower case only; HTTP_PROXY is never read; http_proxy is not used for https.
    assert_eq!(pick("http", &[("HTTP_PROXY", "http://upper:1")]), None);
    assert_eq!(pick("http", &[("HTTP_PROXY", "http://upper:1"), ("ALL_PROXY", "http://all:1")]), p("ALL_PROXY", "http://all:1"));
    assert_eq!(pick("http", &[("http_proxy", "http://lower:1")]), p("http_proxy", "http://lower:1"));
    assert_eq!(pick("https", &[("http_proxy", "http://lower:1"), ("HTTP_PROXY", "http://upper:1")]), None);
    // Empty counts as unset (curl_getenv), so the next name is read.
    assert_eq!(pick("https", &[("https_proxy", ""), ("HTTPS_PROXY", "http://upper:1")]), p("HTTPS_PROXY", "http://upper:1"));
    assert_eq!(pick("https", &[("https_proxy", ""), ("HTTPS_PROXY", ""), ("all_proxy", "socks5h://s:1")]), p("all_proxy", "socks5h://s:1"));
    assert_eq!(pick("https", &[("https_proxy", ""), ("ALL_PROXY", "")]), None);
    // no_proxy before NO_PROXY; an empty no_proxy counts as unset.
    assert_eq!(no_proxy_var(&env(&[("NO_PROXY", "upper"), ("no_proxy", "lower")])), p("no_proxy", "lower"));
    assert_eq!(no_proxy_var(&env(&[("NO_PROXY", "upper"), ("no_proxy", "")])), p("NO_PROXY", "upper"));
    assert_eq!(no_proxy_var(&env(&[("no_proxy", "")])), None);
}

fn api() -> Url {
    Url::parse("https://api.bitbucket.org/2.0").unwrap()
}

fn env_proxy(vars: &[(&str, &str)]) -> EnvProxy {
    match route(&api(), env(vars)) {
        Ok(Route::Env(p)) => p,
        other => panic!("{vars:?}: {other:?}"),
    }
}

#[test]
fn the_route_follows_no_proxy_first_and_this_computer_always_goes_straight() {
    let proxy = [("https_proxy", "http://proxy.corp:3128")];
    let p = env_proxy(&proxy);
    assert_eq!((p.var, p.kind, p.has_credentials, p.url()), ("https_proxy", ProxyKind::Http, false, "http://proxy.corp:3128/"));
    assert_eq!(p.shown(), "http://proxy.corp:3128");
    // no_proxy is read first: a match goes straight, even with a broken proxy address.
    for list in ["bitbucket.org", ".bitbucket.org.", "example.com, api.bitbucket.org", "*"] {
        let vars = [("https_proxy", "http://[broken"), ("no_proxy", list)];
        assert_eq!(route(&api(), env(&vars)), Ok(Route::Direct(Direct::NoProxy("no_proxy"))), "{list}");
    }
    let vars = [("https_proxy", "http://proxy.corp:3128"), ("no_proxy", "example.com"), ("NO_PROXY", "bitbucket.org")];
    assert!(matches!(route(&api(), env(&vars)), Ok(Route::Env(_))), "no_proxy hides NO_PROXY");
    let vars = [("https_proxy", "http://proxy.corp:3128"), ("no_proxy", ""), ("NO_PROXY", "bitbucket.org")];
    assert_eq!(route(&api(), env(&vars)), Ok(Route::Direct(Direct::NoProxy("NO_PROXY"))), "an empty no_proxy counts as unset");
    // This computer never goes through a proxy, whatever is set.
    for local in ["http://127.0.0.1:8080/2.0", "http://localhost:1/2.0", "https://[::1]:9/2.0", "https://127.0.0.2/2.0"] {
        let all = [("https_proxy", "http://proxy.corp:3128"), ("http_proxy", "http://proxy.corp:3128"), ("ALL_PROXY", "http://proxy.corp:3128")];
        assert_eq!(route(&Url::parse(local).unwrap(), env(&all)), Ok(Route::Direct(Direct::ThisComputer)), "{local}");
    }
    // Nothing set: straight on Linux; the system's settings on macOS and Windows.
    let none = route(&api(), env(&[("HTTP_PROXY", "http://proxy.corp:3128"), ("no_proxy", "example.com")])).unwrap();
    if cfg!(any(target_os = "macos", target_os = "windows")) {
        assert_eq!(none, Route::System);
    } else {
        assert_eq!(none, Route::Direct(Direct::NoProxySet));
    }
    assert!(Route::System.via_proxy() && Route::Env(p).via_proxy());
    assert!(!Route::Direct(Direct::NoProxySet).via_proxy() && !Route::Direct(Direct::NoProxy("no_proxy")).via_proxy());
}

#[test]
fn a_proxy_address_is_completed_as_curl_completes_it() {
    let url = |raw: &str| env_proxy(&[("https_proxy", raw)]).url().to_string();
    // No scheme: http. No port: 1080, or 443 for an https proxy; a port as written stays.
    assert_eq!(url("proxy.corp:3128"), "http://proxy.corp:3128/");
    assert_eq!(url("proxy.corp"), "http://proxy.corp:1080/");
    assert_eq!(url("http://proxy.corp"), "http://proxy.corp:1080/");
    assert_eq!(url("http://proxy.corp/"), "http://proxy.corp:1080/");
    assert_eq!(url("http://proxy.corp:80"), "http://proxy.corp/");
    assert_eq!(url("HTTP://Proxy.Corp:8080/path?q#f"), "http://proxy.corp:8080/");
    assert_eq!(url("https://proxy.corp"), "https://proxy.corp/");
    assert_eq!(url("https://proxy.corp:8443"), "https://proxy.corp:8443/");
    assert_eq!(url("http://[fd00::1]"), "http://[fd00::1]:1080/");
    assert_eq!(url("http://[fd00::1]:3128"), "http://[fd00::1]:3128/");
    // SOCKS: socks:// is SOCKS4, as in curl; the port defaults to 1080.
    assert_eq!(url("socks5h://proxy.corp"), "socks5h://proxy.corp:1080");
    assert_eq!(url("socks5://proxy.corp:9050"), "socks5://proxy.corp:9050");
    assert_eq!(url("socks://proxy.corp"), "socks4://proxy.corp:1080");
    assert_eq!(url("socks4a://proxy.corp:1"), "socks4a://proxy.corp:1");
    assert_eq!(env_proxy(&[("https_proxy", "socks5h://proxy.corp")]).kind, ProxyKind::Socks5);
    // Credentials stay percent-encoded for reqwest, and are never shown.
    let p = env_proxy(&[("HTTPS_PROXY", "http://ann%40corp:p%3Ass@proxy.corp:3128")]);
    assert!(p.has_credentials);
    assert_eq!(p.url(), "http://ann%40corp:p%3Ass@proxy.corp:3128/");
    assert_eq!(p.shown(), "http://proxy.corp:3128");
    assert!(!format!("{p:?}").contains("p%3Ass"), "{p:?}");
    let p = env_proxy(&[("all_proxy", "socks5h://ann:secret@proxy.corp")]);
    assert_eq!((p.var, p.url()), ("all_proxy", "socks5h://ann:secret@proxy.corp:1080"));
    assert!(!format!("{p:?}").contains("secret"), "{p:?}");
    assert!(env_proxy(&[("https_proxy", "http://ann@proxy.corp:1")]).has_credentials);
}

#[test]
fn a_proxy_address_that_cannot_be_read_is_an_error_that_names_the_variable() {
    let cases: &[(&str, Unreadable)] = &[
        ("http://[broken", Unreadable::NotAnAddress),
        ("http://proxy.corp:99999", Unreadable::BadPort),
        ("http://proxy.corp:0", Unreadable::BadPort),
        ("http://proxy.corp:80a", Unreadable::BadPort),
        ("proxy.corp:port", Unreadable::BadPort),
        ("http://", Unreadable::NoHost),
        ("http://:3128", Unreadable::NoHost),
        ("http://user:pw@", Unreadable::NoHost),
        ("ftp://proxy.corp:21", Unreadable::UnknownScheme("ftp".into())),
        ("quic://proxy.corp", Unreadable::UnknownScheme("quic".into())),
        ("://proxy.corp", Unreadable::NotAnAddress),
        ("http://exa mple.com:1", Unreadable::NotAnAddress),
    ];
    for (raw, why) in cases {
        let got = route(&api(), env(&[("NO_PROXY", "example.com"), ("https_proxy", raw)]));
        assert_eq!(got.as_ref().map_err(|e| (&e.why, e.var)), Err((why, "https_proxy")), "{raw}");
    }
    // The variable that was read is named; the password in it is not repeated.
    let e = route(&api(), env(&[("ALL_PROXY", "http://ann:hunter2@proxy.corp:99999")])).unwrap_err();
    assert_eq!(e.var, "ALL_PROXY");
    assert!(!e.shown.contains("hunter2") && !e.shown.contains("ann"), "{}", e.shown);
    assert_eq!(e.shown, "http://…@proxy.corp:99999");
    assert_eq!(e.why.to_string(), "its port is not a number from 1 to 65535");
}
