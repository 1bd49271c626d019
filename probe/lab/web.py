"""nginx for the lab: every web host in the internet namespace, and the censor's blockpage proxy.

One server block serves all domains: the certificate is chosen per address and SNI from a map and
the page per address and Host from a folder, so thousands of domains cost one file each and no
extra config.
"""

from __future__ import annotations

import html
import zlib
from collections.abc import Iterable, Mapping
from pathlib import Path

from probe.lab import pki, plan
from probe.lab.scenario import Site
from probe.net.tcp import endpoint

DEFAULT_BLOCKPAGE = """<!DOCTYPE html>
<html lang="ru"><head><meta charset="utf-8"><title>Страница заблокирована</title></head>
<body><h1>Страница заблокирована</h1>
<p>Доступ к запрашиваемому ресурсу ограничен в соответствии с законодательством
Республики Казахстан.</p>
<p>Сұралған ресурсқа қол жеткізу Қазақстан Республикасының заңнамасына сәйкес шектелген.</p>
</body></html>
"""
_MIN_BODY = 400


def title_for(site: Site) -> str:
    return site.title or f"{site.domain} - lab site"


def body_size(site: Site) -> int:
    """Distinct per domain unless given, so body-length comparisons can tell sites apart."""
    return site.body_bytes or 1000 + zlib.crc32(site.domain.encode()) % 30000


def page(site: Site) -> bytes:
    title = html.escape(title_for(site))
    head = f"<!DOCTYPE html>\n<html><head><title>{title}</title></head>\n<body><h1>{title}</h1>\n"
    tail = "</body></html>\n"
    size = max(body_size(site), len(head) + len(tail) + 9)
    filler = "<p>" + ("lab " * size)[: size - len(head) - len(tail) - 8] + "</p>\n"
    return (head + filler + tail).encode()


def _common(workdir: Path) -> list[str]:
    temp = workdir / "tmp"
    temp.mkdir(exist_ok=True)
    return [
        "user root;",
        "worker_processes 1;",
        "daemon off;",
        f"pid {workdir}/nginx.pid;",
        "error_log stderr warn;",
        "events { worker_connections 4096; }",
        "http {",
        "  access_log off;",
        "  default_type text/html;",
        "  charset utf-8;",
        "  server_tokens off;",
        "  map_hash_max_size 262144;",
        "  map_hash_bucket_size 256;",
        *(f"  {kind}_temp_path {temp}/{kind};" for kind in ("client_body", "proxy", "fastcgi",
                                                              "uwsgi", "scgi")),
    ]  # fmt: skip


def _hosts(
    sites: Iterable[Site], addresses: Mapping[str, str], addresses6: Mapping[str, str]
) -> dict[str, list[str]]:
    """Which names each web host (address) serves: a site at its own addresses, and every CDN
    site at every address that carries one (any edge of a CDN serves any of its customers)."""
    hosts: dict[str, list[str]] = {}
    cdn: list[str] = []
    for site in sites:
        own = [a for a in (addresses.get(site.domain), addresses6.get(site.domain)) if a]
        for address in own:
            hosts.setdefault(address, [])
            if not site.cdn:
                hosts[address].append(site.domain)
        if site.cdn:
            cdn.append(site.domain)
    edges = {a for d in cdn for a in (addresses.get(d), addresses6.get(d)) if a}
    for address in edges:
        hosts[address] += cdn
    return hosts


def write_sites(
    workdir: Path,
    sites: Iterable[Site],
    addresses: Mapping[str, str],
    addresses6: Mapping[str, str],
    web_root: pki.Authority,
    extra_listens: Iterable[str] = (),
) -> Path:
    """Pages, certificates and nginx.conf for the web hosts; returns the config path.

    Like real servers, a host presents a certificate only for the names it serves, and a
    request for any other name gets the default certificate (``default.lab``) and a 404: a DNS
    answer that points at the wrong server fails validation. CDN sites share one certificate.
    """
    sites = list(sites)
    www, certs = workdir / "www", workdir / "certs"
    on_cdn = _write_pages_and_certificates(workdir, www, certs, sites, web_root)
    hosts = _hosts(sites, addresses, addresses6)
    listens = sorted({*hosts, *extra_listens})
    lines = [
        *_common(workdir),
        *_site_maps(sites, hosts, certs, on_cdn),
        *_server(listens, workdir, www),
        "}",
    ]
    conf = workdir / "nginx.conf"
    conf.write_text("\n".join(lines) + "\n")
    return conf


def _write_pages_and_certificates(
    workdir: Path, www: Path, certs: Path, sites: list[Site], web_root: pki.Authority
) -> set[str]:
    """Each site's page and certificate (one shared by the CDN sites, whose names it returns),
    the default certificate, and the one key they all use."""
    www.mkdir()
    certs.mkdir()
    key = pki.new_key()
    (workdir / "leaf.key").write_bytes(pki.key_pem(key))
    pki.write_leaf(certs / "_default.pem", web_root, key, ["default.lab"])
    cdn = [s.domain for s in sites if s.cdn]
    if cdn:
        pki.write_leaf(certs / "_cdn.pem", web_root, key, cdn)
    for site in sites:
        (www / site.domain).mkdir()
        (www / site.domain / "index.html").write_bytes(page(site))
        if not site.cdn:
            pki.write_leaf(certs / f"{site.domain}.pem", web_root, key, [site.domain])
    return set(cdn)


def _site_maps(
    sites: list[Site], hosts: Mapping[str, list[str]], certs: Path, on_cdn: set[str]
) -> list[str]:
    """nginx maps: the certificate and site by address and name, the redirects, the echo sites."""
    cert_map, site_map = [], []
    for address, domains in sorted(hosts.items()):
        for domain in domains:
            pem = certs / ("_cdn.pem" if domain in on_cdn else f"{domain}.pem")
            cert_map.append(f'    "{address}/{domain}" {pem};')
            site_map.append(f'    "{address}/{domain}" {domain};')
    redirect_map = [f'    {s.domain} "{s.redirect}";' for s in sites if s.redirect]
    echo_map = [f"    {s.domain} 1;" for s in sites if s.echo_client]
    return [
        '  map "$server_addr/$ssl_server_name" $lab_cert {',
        f"    default {certs}/_default.pem;",
        *cert_map,
        "  }",
        '  map "$server_addr/$host" $lab_site {',
        "    default _none;",
        *site_map,
        "  }",
        "  map $host $lab_redirect {",
        '    default "";',
        *redirect_map,
        "  }",
        "  map $host $lab_echo {",
        "    default 0;",
        *echo_map,
        "  }",
    ]


def _server(listens: list[str], workdir: Path, www: Path) -> list[str]:
    """The one server block: every address on 80 and 443, the site the maps chose."""
    return [
        "  server {",
        *(f"    listen {endpoint(a, 80)};\n    listen {endpoint(a, 443)} ssl;" for a in listens),
        "    ssl_certificate $lab_cert;",
        f"    ssl_certificate_key {workdir}/leaf.key;",
        "    ssl_protocols TLSv1.2 TLSv1.3;",  # nginx 1.22 leaves 1.3 off by default
        f"    root {www}/$lab_site;",
        "    location / {",
        '      if ($lab_site = "_none") { return 404; }',
        "      if ($lab_redirect) { return 301 $lab_redirect; }",
        "      if ($lab_echo) {",
        "        add_header X-Client-Address $remote_addr always;",
        '        return 200 "<html><head><title>Your address</title></head>'
        '<body>You connect from $remote_addr</body></html>";',
        "      }",
        "      index index.html;",
        "    }",
        "  }",
    ]


def write_blockpage(
    workdir: Path, targets: Mapping[str, list[str]], body: Mapping[str, str]
) -> Path:
    """The censor's HTTP proxy: one port per redirected address (the port tells the proxy where
    the client was going, since REDIRECT hides it), a blockpage for listed Hosts, else the real
    site. Like a real censor it matches the Host whatever the address, so a name that DNS
    points at another blocked address gets the blockpage too."""
    pages = workdir / "blockpages"
    pages.mkdir()
    servers: list[str] = []
    listed = sorted(d for domains in targets.values() for d in domains)
    blocked = "|".join(d.replace(".", r"\.") for d in listed)
    for i, (address, domains) in enumerate(sorted(targets.items())):
        servers += [
            "  server {",
            f"    listen {plan.BLOCKPAGE_PORT_BASE + i};",
            "    location / {",
            f'      if ($host ~* "^({blocked})$") {{ rewrite ^ /_blockpage/$host.html last; }}',
            f"      proxy_pass http://{address}:80;",
            "      proxy_set_header Host $host;",
            "      proxy_http_version 1.1;",
            "    }",
            f"    location /_blockpage/ {{ internal; alias {pages}/; }}",
            "  }",
        ]
        for domain in domains:
            (pages / f"{domain}.html").write_text(body.get(domain, DEFAULT_BLOCKPAGE))
    conf = workdir / "blockpage.conf"
    conf.write_text("\n".join([*_common(workdir), *servers, "}"]) + "\n")
    return conf
